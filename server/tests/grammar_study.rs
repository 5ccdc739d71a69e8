//! The minimal examples of `shared/reference/grammar-study.md`, where the
//! published tree-sitter-dockerfile grammar fails, each with the tree our
//! grammar gives (S-expression with field names, without positions).

use dockerfile_ls::syntax;

#[track_caller]
fn assert_tree(source: &str, expected: &str) {
    let tree = syntax::parse(source);
    assert!(
        !tree.root_node().has_error(),
        "error node in:\n{source}\n{}",
        syntax::to_sexp(tree.root_node())
    );
    assert_eq!(tree.root_node().to_sexp(), expected, "for:\n{source}");
}

#[test]
fn bracket_at_start_of_a_continuation_line() {
    assert_tree(
        "RUN set -e; \\\n    [ -e /x ]; \\\n    echo hi\n",
        "(source_file (run_instruction (keyword) (shell_command (shell_fragment) (line_continuation) (shell_fragment) (line_continuation) (shell_fragment))))",
    );
}

#[test]
fn single_line_test_bracket_is_shell_form() {
    assert_tree(
        "RUN [ -e /x ] && echo hi\nFROM next\n",
        "(source_file (run_instruction (keyword) (shell_command (shell_fragment))) (from_instruction (keyword) image: (image_spec name: (image_name))))",
    );
}

#[test]
fn flags_without_a_value() {
    assert_tree(
        "COPY --link --from=b /x /y\nCOPY --parents -- a /b\n",
        "(source_file (copy_instruction (keyword) (flag name: (flag_name)) (flag name: (flag_name) value: (flag_value)) (path) (path)) (copy_instruction (keyword) (flag name: (flag_name)) (flag) (path) (path)))",
    );
}

#[test]
fn legacy_env_and_label() {
    assert_tree(
        "ENV A b c\nLABEL maintainer Foo <f@b.c>\n",
        "(source_file (env_instruction (keyword) (env_pair name: (variable) value: (text))) (label_instruction (keyword) (label_pair key: (label_key) value: (text))))",
    );
}

#[test]
fn legacy_env_over_continuations() {
    assert_tree(
        "ENV KEY \\\n  a \\\n  b\nRUN x\n",
        "(source_file (env_instruction (keyword) (env_pair name: (variable) (line_continuation) value: (text (line_continuation)))) (run_instruction (keyword) (shell_command (shell_fragment))))",
    );
}

#[test]
fn no_final_newline() {
    assert_tree(
        "FROM a\nRUN echo hi",
        "(source_file (from_instruction (keyword) image: (image_spec name: (image_name))) (run_instruction (keyword) (shell_command (shell_fragment))))",
    );
}

#[test]
fn bare_mount_option() {
    assert_tree(
        "RUN --mount=type=bind,target=.,rw make\n",
        "(source_file (run_instruction (keyword) (mount_flag name: (flag_name) key: (mount_key) value: (mount_value) key: (mount_key) value: (mount_value) key: (mount_key)) (shell_command (shell_fragment))))",
    );
}

#[test]
fn backslash_escapes_in_shell_text() {
    assert_tree(
        "RUN sed s/a\\-b//g f\nRUN a \"$(e '\\.[0-9]')\"\n",
        "(source_file (run_instruction (keyword) (shell_command (shell_fragment))) (run_instruction (keyword) (shell_command (shell_fragment))))",
    );
}

#[test]
fn windows_backslash_in_legacy_env() {
    assert_tree(
        "ENV GOPATH C:\\\\go\nRUN x\n",
        "(source_file (env_instruction (keyword) (env_pair name: (variable) value: (text))) (run_instruction (keyword) (shell_command (shell_fragment))))",
    );
}

#[test]
fn backtick_escape_directive() {
    assert_tree(
        "# escape=`\nRUN echo a `\n  b\nENV P C:\\go\n",
        "(source_file (parser_directive) (run_instruction (keyword) (shell_command (shell_fragment) (line_continuation) (shell_fragment))) (env_instruction (keyword) (env_pair name: (variable) value: (text))))",
    );
}

#[test]
fn trailing_whitespace_does_not_pull_in_the_next_line() {
    assert_tree(
        "COPY a b \nRUN --mount=type=cache,target=/x make\nCOPY . /app \nENTRYPOINT [\"python3\"]\n",
        "(source_file (copy_instruction (keyword) (path) (path)) (run_instruction (keyword) (mount_flag name: (flag_name) key: (mount_key) value: (mount_value) key: (mount_key) value: (mount_value)) (shell_command (shell_fragment))) (copy_instruction (keyword) (path) (path)) (entrypoint_instruction (keyword) (json_array (json_string))))",
    );
}

#[test]
fn arg_with_several_names() {
    assert_tree(
        "ARG A B=c\n",
        "(source_file (arg_instruction (keyword) (arg_declaration name: (variable)) (arg_declaration name: (variable) default: (word))))",
    );
}

#[test]
fn quoted_user() {
    assert_tree(
        "USER \"${UID}\"\n",
        "(source_file (user_instruction (keyword) (text (expansion (variable)))))",
    );
}

#[test]
fn healthcheck_without_arguments() {
    assert_tree(
        "HEALTHCHECK\nHEALTHCHECK NONE\n",
        "(source_file (healthcheck_instruction (keyword)) (healthcheck_instruction (keyword) (keyword)))",
    );
}

#[test]
fn single_quotes_with_escapes() {
    assert_tree(
        "ENV name='a\\'b''\n",
        "(source_file (env_instruction (keyword) (env_pair name: (variable) value: (word (single_quoted_string) (single_quoted_string)))))",
    );
}

#[test]
fn unbalanced_quote_in_add() {
    assert_tree(
        "ADD \\conf\\\\\" /.znc\n",
        "(source_file (add_instruction (keyword) (path) (path)))",
    );
}

#[test]
fn continuation_at_end_of_file() {
    // the continuation to nothing ends the RUN line, as in BuildKit
    assert_tree(
        "FROM alpine\nRUN something \\",
        "(source_file (from_instruction (keyword) image: (image_spec name: (image_name))) (run_instruction (keyword) (shell_command (shell_fragment))))",
    );
}

#[test]
fn invalid_json_falls_back_to_shell_form() {
    assert_tree(
        "CMD ['echo','x']\nCMD [\"a\", \"b\"] trailing\n",
        "(source_file (cmd_instruction (keyword) (shell_command (shell_fragment))) (cmd_instruction (keyword) (shell_command (shell_fragment))))",
    );
}

#[test]
fn several_from_flags() {
    assert_tree(
        "FROM --platform=x --foo=y img\n",
        "(source_file (from_instruction (keyword) (flag name: (flag_name) value: (flag_value)) (flag name: (flag_name) value: (flag_value)) image: (image_spec name: (image_name))))",
    );
}

#[test]
fn heredocs() {
    assert_tree(
        "RUN <<EOF\nFROM inside\nEOF\nCOPY <<-\"A\" <<'B' /dst/\n\tone\n\tA\ntwo\nB\n",
        "(source_file (run_instruction (keyword) (shell_command (heredoc_marker)) (heredoc (heredoc_body) (heredoc_end))) (copy_instruction (keyword) (heredoc_marker) (heredoc_marker) (path) (heredoc (heredoc_body) (heredoc_end)) (heredoc (heredoc_body) (heredoc_end))))",
    );
}

#[test]
fn lowercase_instructions_and_stage() {
    assert_tree(
        "from golang:1.22 as build\ncopy --from=build /a /b\n",
        "(source_file (from_instruction (keyword) image: (image_spec name: (image_name) tag: (image_tag)) (keyword) name: (image_alias)) (copy_instruction (keyword) (flag name: (flag_name) value: (flag_value)) (path) (path)))",
    );
}

#[test]
fn unknown_instruction_stays_on_its_line() {
    assert_tree(
        "FORM alpine\nFROM alpine\n",
        "(source_file (unknown_instruction (keyword) (shell_command (shell_fragment))) (from_instruction (keyword) image: (image_spec name: (image_name))))",
    );
}

#[test]
fn comment_and_blank_lines_inside_a_continuation() {
    assert_tree(
        "RUN a \\\n# note\n\n  b\n",
        "(source_file (run_instruction (keyword) (shell_command (shell_fragment) (line_continuation) (comment) (line_continuation) (shell_fragment))))",
    );
}

#[test]
fn crlf_line_endings() {
    assert_tree(
        "FROM a\r\nRUN b \\\r\n  c\r\n",
        "(source_file (from_instruction (keyword) image: (image_spec name: (image_name))) (run_instruction (keyword) (shell_command (shell_fragment) (line_continuation) (shell_fragment))))",
    );
}
