; use a::b::{c, d as e};
(use_declaration argument: (_) @import.source) @import
(use_declaration argument: (identifier) @import.name)
(use_declaration argument: (scoped_identifier name: (identifier) @import.name))
(use_list (identifier) @import.name)
(use_list (scoped_identifier name: (identifier) @import.name))
(use_as_clause path: (identifier) @import.name)
(use_as_clause path: (scoped_identifier name: (identifier) @import.name))
(use_as_clause alias: (identifier) @import.name)
