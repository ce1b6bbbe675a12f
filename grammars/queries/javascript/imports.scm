; import … from "source"; the names it brings into scope
(import_statement source: (string (string_fragment) @import.source)) @import
(import_clause (identifier) @import.name)
(import_specifier name: (identifier) @import.name)
(import_specifier alias: (identifier) @import.name)
(namespace_import (identifier) @import.name)
; const x = require("source")
(lexical_declaration
  (variable_declarator
    name: (identifier) @import.name
    value: (call_expression
      function: (identifier) @_require
      arguments: (arguments (string (string_fragment) @import.source))))
  (#eq? @_require "require")) @import
; export { a, b } from "source"; export * from "source" (re-exports: the names come from that file)
(export_statement source: (string (string_fragment) @import.source)) @import
(export_specifier name: (_) @import.name)
