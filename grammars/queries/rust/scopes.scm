[
  (function_item)
  (impl_item)
  (trait_item)
  (struct_item)
  (enum_item)
  (mod_item)
  (closure_expression)
] @scope
