; inherits: javascript
[
  (abstract_class_declaration)
  (interface_declaration)
  (enum_declaration)
] @scope
