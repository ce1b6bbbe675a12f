; import a.b.C; / import a.b.*;
(import_declaration (scoped_identifier name: (identifier) @import.name) @import.source) @import
(import_declaration (scoped_identifier) @import.source (asterisk)) @import
