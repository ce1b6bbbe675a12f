; import … from "source"; the names it brings into scope
(import_statement source: (string (string_fragment) @import.source)) @import
(import_clause (identifier) @import.name)
(import_specifier name: (identifier) @import.name)
(import_specifier alias: (identifier) @import.name)
(namespace_import (identifier) @import.name)
