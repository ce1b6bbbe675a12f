// Test documents mark the cursor with ║, so a test reads like the code it completes.
export function splitAtCursor(template: string): { text: string; offset: number } {
  const offset = template.indexOf('║');
  if (offset < 0 || template.indexOf('║', offset + 1) >= 0) throw new Error('the template needs exactly one ║ cursor marker');
  return { text: template.slice(0, offset) + template.slice(offset + 1), offset };
}
