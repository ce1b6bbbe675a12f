[
  (function_definition)
  (struct_specifier)
  (union_specifier)
  (enum_specifier)
] @scope
