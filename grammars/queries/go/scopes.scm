[
  (function_declaration)
  (method_declaration)
  (func_literal)
  (type_declaration)
] @scope
