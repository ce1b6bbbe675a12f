import assert from 'node:assert/strict';
import test from 'node:test';
import { ErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import { requestFailure, serverStoppedMessage } from '../../client/src/requestFailure';

test('a request the server went away under says that the server stopped and restarts', () => {
  const disposed = new ResponseError(ErrorCodes.PendingResponseRejected, 'Pending response rejected since connection got disposed');
  assert.equal(requestFailure(disposed).message, serverStoppedMessage);
  assert.equal(requestFailure(new ResponseError(ErrorCodes.ConnectionInactive, 'Connection is closed.')).message, serverStoppedMessage);
  assert.equal(requestFailure(new Error('Client is not running and can’t be stopped.')).message, serverStoppedMessage);
});

test('any other failure keeps its own message', () => {
  const refused = new ResponseError(ErrorCodes.InternalError, 'The code and its context take 9000 tokens');
  assert.equal(requestFailure(refused), refused);
  assert.equal(requestFailure(new Error('no model')).message, 'no model');
  assert.equal(requestFailure('plain text').message, 'plain text');
  assert.equal(requestFailure(new Error('the Client is not running here')).message, 'the Client is not running here', 'only the client’s own message');
});
