; import [name] "path"
(import_spec name: (package_identifier)? @import.name path: (interpreted_string_literal) @import.source) @import
