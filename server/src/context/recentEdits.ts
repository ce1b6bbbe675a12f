// Where the user has been editing lately: line ranges per document, most recent first, adjacent edits merged.
import { textEdit } from '../syntax/documentTrees';

export interface EditedRegion {
  uri: string;
  startLine: number;
  endLine: number;
}

export class RecentEdits {
  private regions: EditedRegion[] = [];

  constructor(private readonly capacity = 16) {}

  /** The document `uri` changed from `before` to `after`. */
  record(uri: string, before: string, after: string): void {
    if (before === after) return;
    const edit = textEdit(before, after);
    const region = { uri, startLine: edit.startPosition.row, endLine: edit.newEndPosition.row };
    const near = this.regions.findIndex((r) => r.uri === uri && r.startLine - 3 <= region.endLine && region.startLine <= r.endLine + 3);
    if (near >= 0) {
      const merged = this.regions[near]!;
      this.regions.splice(near, 1);
      region.startLine = Math.min(region.startLine, merged.startLine);
      region.endLine = Math.max(region.endLine, merged.endLine);
    }
    this.regions.unshift(region);
    this.regions.length = Math.min(this.regions.length, this.capacity);
  }

  /** Edited regions, most recent first. */
  recent(): readonly EditedRegion[] {
    return this.regions;
  }

  forget(uri: string): void {
    this.regions = this.regions.filter((r) => r.uri !== uri);
  }
}
