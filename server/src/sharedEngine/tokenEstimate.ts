// A window on the shared engine counts tokens without the model's vocabulary: loading it alone costs a window about
// 130 MiB for a 150 000-token vocabulary (Qwen2.5-Coder), two thirds of the window's memory. The engine measures how
// many characters of code its tokenizer makes a token and tells the window at hello; the window estimates with that,
// rounded down a tenth so the estimate errs long (a prompt sized by it fits). Only the window's context stage (which
// snippets to send) and the conversation's layout count this way: the engine lays the prompt out by its own tokens.

/** Code of the kinds Hearth completes (a few languages, comments and strings), for the engine to measure its tokenizer on. */
const sample = `import { readFile } from 'node:fs/promises';

/** Reads the settings file and returns the entries whose value changed since the last read. */
export async function changedEntries(path: string, previous: Map<string, string>): Promise<Array<[string, string]>> {
  const text = await readFile(path, 'utf8');
  const changed: Array<[string, string]> = [];
  for (const line of text.split('\\n')) {
    const match = /^\\s*([\\w.-]+)\\s*=\\s*(.*)$/.exec(line);
    if (match && previous.get(match[1]!) !== match[2]) changed.push([match[1]!, match[2]!]);
  }
  return changed;
}

class RetryPolicy:
    """Waits longer after each failure, up to a limit."""

    def __init__(self, base_delay: float = 0.5, limit: int = 5) -> None:
        self.base_delay = base_delay
        self.limit = limit

    def delays(self):
        for attempt in range(self.limit):
            yield self.base_delay * (2 ** attempt)

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	value, ok := s.items[key]
	if !ok {
		return nil, fmt.Errorf("get %q: %w", key, ErrNotFound)
	}
	return value, nil
}

impl Display for Version {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}
`;

/** How much shorter than measured the window takes a token to be: its counts err long. */
const margin = 0.9;

/** Characters of code a token, as the engine's tokenizer makes them, less the margin: what hello tells a window. */
export function measureCharsPerToken(countTokens: (text: string) => number): number {
  const tokens = countTokens(sample);
  return tokens > 0 ? (sample.length / tokens) * margin : 1;
}

/** The window's count of `text` in tokens, from the engine's measure. */
export function estimateTokens(text: string, charsPerToken: number): number {
  return Math.ceil(text.length / charsPerToken);
}
