// Keep-going: a keystroke that types what the in-flight completion is already generating should not throw the
// generation away. True when `after` is `before` with text inserted at the cursor that the generation began with.
export function typedIntoCompletion(before: string, offset: number, after: string, generatedSoFar: string): boolean {
  const insertedLength = after.length - before.length;
  if (insertedLength <= 0 || insertedLength > generatedSoFar.length) return false;
  if (!after.startsWith(before.slice(0, offset)) || !after.endsWith(before.slice(offset))) return false;
  return generatedSoFar.startsWith(after.slice(offset, offset + insertedLength));
}
