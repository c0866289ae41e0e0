; Tags read by repo_graph.parse: definitions, imports and call sites of a Python module.
; Each capture is one node; parse.py reads the fields it needs from the node itself.

(class_definition) @definition.class

(function_definition) @definition.function

(import_statement) @import

(import_from_statement) @import.from

(future_import_statement) @import.future

(call function: (_) @call)

; name = Callee(...) and self.name = Callee(...): the instances whose methods calls may reach
(assignment left: [(identifier) (attribute)] right: (call)) @assignment
