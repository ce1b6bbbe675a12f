[
  (function_definition)
  (class_definition)
  (lambda)
] @scope
