[
  (function_declaration)
  (generator_function_declaration)
  (function_expression)
  (arrow_function)
  (method_definition)
  (class_declaration)
  (abstract_class_declaration)
  (interface_declaration)
  (enum_declaration)
] @scope
