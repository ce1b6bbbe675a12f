// Post-processing of a finished completion: each filter is pure and maps text to text ('' drops it).
import { dropIfOnlyWhitespace } from './dropIfOnlyWhitespace';
import { trimTrailingWhitespace } from './trimTrailingWhitespace';

export type CompletionFilter = (completion: string) => string;

const filters: readonly CompletionFilter[] = [trimTrailingWhitespace, dropIfOnlyWhitespace];

export function applyFilters(completion: string): string {
  return filters.reduce((text, filter) => (text === '' ? text : filter(text)), completion);
}
