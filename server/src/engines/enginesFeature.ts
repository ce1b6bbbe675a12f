// The engines as the client sees them: settings switch engines, the user's agreement to a remote URL arrives as a
// notification, the chat model's arrival or departure is announced (the editor lists it as a language model), and
// every model is let go at shutdown.
import type { Connection } from 'vscode-languageserver/node';
import { RemoteAccessNotification } from '../../../common/protocol';
import type { Feature } from '../feature';
import type { ServerSettings } from '../serverSettings';
import type { Engines } from './engines';

export function enginesFeature(connection: Pick<Connection, 'onNotification'>, engines: Engines, settings: Pick<ServerSettings, 'onChange' | 'apply'>): Feature {
  settings.onChange((current) => engines.apply(current));
  connection.onNotification(RemoteAccessNotification.type, (access) => {
    engines.setRemoteAccess(access);
    void settings.apply();
  });
  return { shutdown: () => engines.dispose() };
}
