; Injections for the dockerfile-ls grammar (grammar/grammar.js).

((comment) @injection.content
  (#set! injection.language "comment"))

; Shell form of RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD: one bash document per
; instruction. The content is the whole shell_command including its children:
; its shell_fragment nodes with the line continuations between them, which bash
; reads the way the builder joins lines (for the default `\` escape), so a
; command spread over several lines parses as one command.
;
; Not `injection.combined`: that joins every match of the pattern in the whole
; file into one document, gluing the end of one RUN to the start of the next.
; Not one injection per shell_fragment either: each physical line would be
; parsed on its own, breaking quotes and `&&` chains across lines.
;
; Always bash: a preceding `SHELL ["powershell", …]` changes the shell, but
; that is not visible to a query (the server could tell).
;
; The shell_command of an unknown instruction and the (invalid) shell form of
; SHELL are not shell code, so they are left alone.
([
  (run_instruction (shell_command) @injection.content)
  (cmd_instruction (shell_command) @injection.content)
  (entrypoint_instruction (shell_command) @injection.content)
  (healthcheck_instruction (shell_command) @injection.content)
]
  (#set! injection.language "bash")
  (#set! injection.include-children))

; The body of a RUN heredoc (`RUN <<EOF` … `EOF`) is a script for the shell.
; COPY/ADD heredocs are file contents and are not injected.
(run_instruction
  (heredoc
    (heredoc_body) @injection.content)
  (#set! injection.language "bash"))
