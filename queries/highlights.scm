; Highlights for the dockerfile-ls grammar (grammar/grammar.js).
;
; Capture names follow the common Neovim / Helix / Zed conventions.
;
; Editors disagree on which pattern wins when two patterns capture the very
; same node (Neovim: the later one; tree-sitter-highlight and Helix: the
; earlier one), so no node is captured twice here: specific cases such as
; `FROM scratch` or the keyword of an unknown instruction are written as
; patterns that exclude each other rather than as overrides. Nested captures
; (a string holding an expansion) are fine everywhere: the inner one wins.
;
; Shell code (RUN/CMD/ENTRYPOINT/HEALTHCHECK CMD in shell form, RUN heredocs)
; is left to injections.scm.

; ---------------------------------------------------------------------------
; comments and parser directives

(comment) @comment

; `# syntax=…`, `# escape=…`, `# check=…`: one token in the grammar
(parser_directive) @keyword.directive

; ---------------------------------------------------------------------------
; instruction keywords (also `AS` in FROM, `CMD`/`NONE` in HEALTHCHECK)

(from_instruction (keyword) @keyword)
(run_instruction (keyword) @keyword)
(cmd_instruction (keyword) @keyword)
(label_instruction (keyword) @keyword)
(maintainer_instruction (keyword) @keyword)
(expose_instruction (keyword) @keyword)
(env_instruction (keyword) @keyword)
(add_instruction (keyword) @keyword)
(copy_instruction (keyword) @keyword)
(entrypoint_instruction (keyword) @keyword)
(volume_instruction (keyword) @keyword)
(user_instruction (keyword) @keyword)
(workdir_instruction (keyword) @keyword)
(arg_instruction (keyword) @keyword)
(onbuild_instruction (keyword) @keyword)
(stopsignal_instruction (keyword) @keyword)
(healthcheck_instruction (keyword) @keyword)
(shell_instruction (keyword) @keyword)

; BuildKit rejects an unknown instruction
(unknown_instruction (keyword) @error)

; ---------------------------------------------------------------------------
; FROM: image reference and stage name

((image_name) @type
  (#not-eq? @type "scratch"))

((image_name) @constant.builtin
  (#eq? @constant.builtin "scratch"))

(image_tag) @string.special

(image_digest) @number

(image_spec [":" "@"] @punctuation.delimiter)

(from_instruction name: (image_alias) @label)

; ---------------------------------------------------------------------------
; flags: --name=value, --mount=key=value,…

; the whole flag, so that its leading `--` (not a node of its own) is coloured
(flag) @property
(mount_flag) @property

(flag_name) @property

(mount_key) @property

; stage references: COPY --from=stage, RUN --mount=…,from=stage
; (may also be an image name or a stage index; the server knows which).
; The name is tested through its own @property capture: a helper capture
; such as @_name on a highlighted node hides its highlight in
; tree-sitter-highlight, which honours only the first capture of a node.
(flag
  name: (flag_name) @property
  value: (flag_value) @label
  (#eq? @property "from"))

(flag
  name: (flag_name) @property
  value: (flag_value) @string
  (#not-eq? @property "from"))

(mount_flag
  key: (mount_key) @property
  .
  value: (mount_value) @label
  (#eq? @property "from"))

(mount_flag
  key: (mount_key) @property
  .
  value: (mount_value) @string
  (#not-eq? @property "from"))

; ---------------------------------------------------------------------------
; ENV, ARG, LABEL

(env_pair name: (variable) @variable)
(arg_declaration name: (variable) @variable)
(label_pair key: (label_key) @property)

(env_pair value: (_) @string)
(arg_declaration default: (word) @string)
(label_pair value: (_) @string)

; ---------------------------------------------------------------------------
; other arguments

(path) @string.special.path

(expose_port) @number

(workdir_instruction (text) @string.special.path)
(user_instruction (text) @string)
(maintainer_instruction (text) @string)
(stopsignal_instruction (text) @constant)

; COPY/ADD heredocs are file contents; RUN heredocs are injected as shell
(heredoc_marker) @label
(heredoc_end) @label
(copy_instruction (heredoc (heredoc_body) @string))
(add_instruction (heredoc (heredoc_body) @string))

; ---------------------------------------------------------------------------
; exec form (JSON arrays)

(json_string) @string

(json_array ["[" "]"] @punctuation.bracket)

; ---------------------------------------------------------------------------
; strings and variable expansions inside builder-expanded words

(double_quoted_string) @string
(single_quoted_string) @string

(expansion) @embedded

(expansion ["$" "${" "}"] @punctuation.special)

(expansion (variable) @variable)

(expansion_operator) @operator

; ---------------------------------------------------------------------------
; operators and punctuation

"=" @operator

"," @punctuation.delimiter

; the escape character (`\` or the `# escape=` one) ending a line
(line_continuation) @string.escape
