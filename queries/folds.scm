; Folds for the dockerfile-ls grammar (grammar/grammar.js).
;
; Every instruction is a fold; editors only offer the ones that span several
; lines (line continuations, multi-line JSON arrays, heredocs). Runs of
; comments are separate sibling nodes and cannot be folded by a query.

[
  (from_instruction)
  (run_instruction)
  (cmd_instruction)
  (label_instruction)
  (maintainer_instruction)
  (expose_instruction)
  (env_instruction)
  (add_instruction)
  (copy_instruction)
  (entrypoint_instruction)
  (volume_instruction)
  (user_instruction)
  (workdir_instruction)
  (arg_instruction)
  (onbuild_instruction)
  (stopsignal_instruction)
  (healthcheck_instruction)
  (shell_instruction)
  (unknown_instruction)
  (heredoc)
] @fold
