; import a.b [as c]
(import_statement name: (dotted_name) @import.source @import.name) @import
(import_statement name: (aliased_import name: (dotted_name) @import.source alias: (identifier) @import.name)) @import
; from .a import b [as c]
(import_from_statement module_name: (_) @import.source) @import
(import_from_statement name: (dotted_name) @import.name)
(import_from_statement name: (aliased_import alias: (identifier) @import.name))
