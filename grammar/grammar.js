/**
 * Tree-sitter grammar for Dockerfiles, modelled on BuildKit's parser
 * (moby/buildkit frontend/dockerfile/parser).
 *
 * BuildKit first joins physical lines into logical lines (continuations with
 * the escape character of the `# escape=` directive, comment and blank lines
 * dropped inside a continuation), then splits each logical line into a
 * keyword, flags and arguments. Because the escape character is only known at
 * run time, nearly all line-level and word-level lexing happens in the
 * external scanner (src/scanner.c); this file describes the structure.
 *
 * Structure inside an instruction is lenient on purpose: missing closing
 * quotes, pairs without `=` and extra words parse without error, so a typo
 * never changes how the following lines parse. Our own checks report them.
 */

const INSTRUCTIONS = [
  'from', 'run', 'cmd', 'label', 'maintainer', 'expose', 'env', 'add', 'copy',
  'entrypoint', 'volume', 'user', 'workdir', 'arg', 'onbuild', 'stopsignal',
  'healthcheck', 'shell',
];

const keyword = ($, name) => alias($['_kw_' + name], $.keyword);

/**
 * keyword, then flags, then an optional body, each separated by whitespace,
 * then what follows the line (heredocs), then the line's end.
 *
 * Every external token is a heap leaf of the tree, and every hidden node with
 * more than one child is a heap node, so the shape is chosen to need few:
 * a keyword token always ends at whitespace, a continuation or the line end,
 * so no `_ws` follows it; and the line end is the instruction's last child
 * (zero-width, so the instruction still ends with its last character),
 * which leaves no node pairing an instruction with its line end.
 */
function instruction($, name, body, flagRule, after) {
  const flags = seq(flagRule || $.flag, repeat(seq($._ws, flagRule || $.flag)));
  const end = after ? seq(after, $._line_end) : $._line_end;
  if (!body) return seq(keyword($, name), optional(flags), end);
  return seq(keyword($, name), optional(choice(seq(flags, optional(seq($._ws, body))), body)), end);
}

/** one or more items separated by whitespace */
const spaced = ($, item) => seq(item, repeat(seq($._ws, item)));

/**
 * Adjacent parts of a value, when they are not one lone `text` token: that
 * case is the token itself, aliased as the value's node where the value is
 * used. The visible tree is the same; the parse tree has no
 * heap subtree over each one-token value (a 10,000-line file has tens of
 * thousands of them).
 */
const parts = (text, others) => prec.right(choice(
  seq(choice(...others), repeat(choice(text, ...others))),
  seq(text, repeat1(choice(text, ...others))),
));

/**
 * `name=value`, `name`, or `=value`: BuildKit reports a blank name itself, so
 * the pair parses without one (and without error recovery deciding its shape).
 */
const pair = (name, equalsRequired, valueField, value) => {
  const assignment = seq('=', optional(field(valueField, value)));
  return choice(
    seq(name, equalsRequired ? assignment : optional(assignment)),
    assignment,
  );
};

module.exports = grammar({
  name: 'dockerfile',

  extras: $ => [/[ \t\r\f\v]/, $.line_continuation, $.comment],

  externals: $ => [
    $._newline,
    $._heredoc_nl,
    $._eof,
    $.line_continuation,
    $.comment,
    // `# syntax=…`, `# escape=…`, `# check=…` before anything else: one token,
    // because only the whole line tells a directive from a comment
    $.parser_directive,
    $._ws,
    // Never produced: valid where a flag may start, it tells the scanner to
    // leave a `--` there to the lexer, whose tokens are stored in the tree's
    // nodes instead of in a heap leaf of their own.
    $._flag_start,
    $._json_open,
    ...INSTRUCTIONS.map(name => $['_kw_' + name]),
    $._kw_unknown,
    $._kw_as,
    $._kw_none,
    $._kw_healthcheck_cmd,
    $._word_text,
    $._path_text,
    $._key_text,
    $._mount_text,
    $._image_name_text,
    $._image_tag_text,
    $._image_digest_text,
    $._dq_text,
    $._sq_text,
    $._expansion_text,
    $._raw_text,
    $.shell_fragment,
    $.heredoc_marker,
    $.heredoc_body,
    $.heredoc_end,
    $._error_sentinel,
  ],

  word: $ => $.flag_name,

  inline: $ => [$._mount_param],

  rules: {
    // Lines before the first FROM, then one hidden node per stage. Grouping
    // by stage keeps the top level short: after an edit, tree-sitter shifts
    // every top-level subtree again (repeat nodes are never reused), so a
    // reparse costs one shift per stage, not per line.
    //
    // A stage ends where the next FROM is read as lookahead, inside the
    // stage. Tree-sitter reuses a subtree only when its first token was lexed
    // in a state with the same valid tokens as the state it is reused in, so
    // the state between two stages must accept exactly what a state inside a
    // stage accepts: any line. Hence `_line` in both places, directives
    // included (the scanner emits them only before anything else), and
    // `prec.right` to keep every line after a FROM in its stage. With a
    // narrower top level (FROM or the end only), every stage's FROM was
    // re-lexed and its FROM line and the last line before it rebuilt on
    // every reparse, all through the file.
    //
    // Blank lines are padding: the scanner skips line breaks wherever no
    // line may end. The lexer's own tokens cannot skip them, so the scanner
    // ends a file that ends in line breaks with a zero-width `_eof`.
    source_file: $ => seq(repeat(choice($._line, $._stage)), optional($._eof)),

    // A comment line is a line here, not an extra: an extra at the end of a
    // stage (the comment above the next FROM) would be moved out of it, and
    // shifted again at the top level on every reparse.
    _line: $ => choice(seq($.parser_directive, $._line_end), $._stage_instruction, $.comment),

    _stage: $ => prec.right(seq($.from_instruction, repeat($._line))),

    _line_end: $ => choice($._newline, $._eof),

    _instruction: $ => choice($.from_instruction, $._stage_instruction),

    // Every instruction but FROM, which starts a stage.
    _stage_instruction: $ => choice(
      $.run_instruction,
      $.cmd_instruction,
      $.label_instruction,
      $.maintainer_instruction,
      $.expose_instruction,
      $.env_instruction,
      $.add_instruction,
      $.copy_instruction,
      $.entrypoint_instruction,
      $.volume_instruction,
      $.user_instruction,
      $.workdir_instruction,
      $.arg_instruction,
      $.onbuild_instruction,
      $.stopsignal_instruction,
      $.healthcheck_instruction,
      $.shell_instruction,
      $.unknown_instruction,
    ),

    // FROM [--platform=…] image [AS name]; extra words are kept, not errors.
    from_instruction: $ => instruction($, 'from', seq(
      field('image', $.image_spec),
      optional(seq($._ws, choice(
        seq(
          keyword($, 'as'),
          optional(seq(field('name', $.image_alias), repeat(seq($._ws, choice(alias($._path_text, $.word), alias($._path, $.word)))))),
        ),
        spaced($, choice(alias($._path_text, $.word), alias($._path, $.word))),
      ))),
    )),

    image_spec: $ => seq(
      field('name', $.image_name),
      optional(seq(':', optional(field('tag', $.image_tag)))),
      optional(seq('@', optional(field('digest', $.image_digest)))),
    ),
    image_name: $ => prec.right(repeat1(choice($._image_name_text, $.expansion))),
    image_tag: $ => prec.right(repeat1(choice($._image_tag_text, $.expansion))),
    image_digest: $ => prec.right(repeat1(choice($._image_digest_text, $.expansion))),
    image_alias: $ => prec.right(repeat1(choice($._path_text, $.expansion))),

    run_instruction: $ => instruction($, 'run', $._command, choice($.mount_flag, $.flag), repeat($.heredoc)),
    cmd_instruction: $ => instruction($, 'cmd', $._command),
    entrypoint_instruction: $ => instruction($, 'entrypoint', $._command),
    shell_instruction: $ => instruction($, 'shell', $._command),

    _command: $ => choice($.json_array, $.shell_command),

    healthcheck_instruction: $ => instruction($, 'healthcheck', choice(
      // words after NONE are an error that our checks report
      seq(keyword($, 'none'), optional($.shell_command)),
      seq(keyword($, 'healthcheck_cmd'), optional($._command)),
      $.shell_command,
    )),

    copy_instruction: $ => instruction($, 'copy', $._paths, null, repeat($.heredoc)),
    add_instruction: $ => instruction($, 'add', $._paths, null, repeat($.heredoc)),
    _paths: $ => choice(
      $.json_array,
      spaced($, choice(alias($._path_text, $.path), alias($._path, $.path), $.heredoc_marker)),
    ),

    volume_instruction: $ => instruction($, 'volume', choice(
      $.json_array,
      spaced($, choice(alias($._path_text, $.path), alias($._path, $.path))),
    )),

    expose_instruction: $ => instruction($, 'expose', spaced($, choice(alias($._path_text, $.expose_port), alias($._path, $.expose_port)))),

    // ENV a=b c=d, or the legacy ENV a b c (value = rest of the line), decided
    // by whether the first name is followed by `=`, as BuildKit does.
    env_instruction: $ => instruction($, 'env', choice(
      seq(alias($._env_pair_with_value, $.env_pair), repeat(seq($._ws, $.env_pair))),
      alias($._env_pair_legacy, $.env_pair),
    )),
    env_pair: $ => pair(field('name', choice(alias($._key_text, $.variable), alias($._key, $.variable))), false, 'value', choice(alias($._word_text, $.word), $.word)),
    _env_pair_with_value: $ => pair(field('name', choice(alias($._key_text, $.variable), alias($._key, $.variable))), true, 'value', choice(alias($._word_text, $.word), $.word)),
    _env_pair_legacy: $ => prec.right(seq(
      field('name', choice(alias($._key_text, $.variable), alias($._key, $.variable))),
      optional(seq($._ws, optional(field('value', choice(alias($._raw_text, $.text), $.text))))),
    )),

    label_instruction: $ => instruction($, 'label', choice(
      seq(alias($._label_pair_with_value, $.label_pair), repeat(seq($._ws, $.label_pair))),
      alias($._label_pair_legacy, $.label_pair),
    )),
    label_pair: $ => pair(field('key', choice(alias($._key_text, $.label_key), alias($._key, $.label_key))), false, 'value', choice(alias($._word_text, $.word), $.word)),
    _label_pair_with_value: $ => pair(field('key', choice(alias($._key_text, $.label_key), alias($._key, $.label_key))), true, 'value', choice(alias($._word_text, $.word), $.word)),
    _label_pair_legacy: $ => prec.right(seq(
      field('key', choice(alias($._key_text, $.label_key), alias($._key, $.label_key))),
      optional(seq($._ws, optional(field('value', choice(alias($._raw_text, $.text), $.text))))),
    )),

    arg_instruction: $ => instruction($, 'arg', spaced($, $.arg_declaration)),
    arg_declaration: $ => pair(field('name', choice(alias($._key_text, $.variable), alias($._key, $.variable))), false, 'default', choice(alias($._word_text, $.word), $.word)),

    maintainer_instruction: $ => instruction($, 'maintainer', choice(alias($._raw_text, $.text), $.text)),
    user_instruction: $ => instruction($, 'user', choice(alias($._raw_text, $.text), $.text)),
    workdir_instruction: $ => instruction($, 'workdir', choice(alias($._raw_text, $.text), $.text)),
    stopsignal_instruction: $ => instruction($, 'stopsignal', choice(alias($._raw_text, $.text), $.text)),

    // The trigger is an instruction with its own line end.
    onbuild_instruction: $ => seq(keyword($, 'onbuild'), choice(
      field('trigger', $._instruction),
      seq($.flag, repeat(seq($._ws, $.flag)), choice(seq($._ws, field('trigger', $._instruction)), $._line_end)),
      $._line_end,
    )),

    unknown_instruction: $ => seq(
      keyword($, 'unknown'),
      optional($.shell_command),
      $._line_end,
    ),

    // --name, --name=value, or a bare `--` that ends the flags.
    flag: $ => seq(
      $._flag_dashes,
      optional(seq(
        field('name', $.flag_name),
        optional(seq('=', optional(field('value', choice(alias($._word_text, $.flag_value), alias($.word, $.flag_value)))))),
      )),
    ),
    flag_name: _ => /[A-Za-z0-9][A-Za-z0-9_.-]*/,
    _flag_dashes: $ => choice('--', $._flag_start),

    // The options are the flag's own children, `key` then its `value`: a
    // node per option would cost a heap node each, and RUN lines are full
    // of them. Empty fields and fields without a key (`,=b`) parse, as
    // BuildKit splits them: the --mount check reports them in its words.
    mount_flag: $ => seq(
      $._flag_dashes,
      field('name', alias('mount', $.flag_name)),
      optional(seq('=', optional(choice(
        $._mount_param,
        seq(optional($._mount_param), repeat1(seq(',', optional($._mount_param)))),
      )))),
    ),
    _mount_param: $ => {
      const assignment = seq('=', optional(field('value', choice(alias($._mount_text, $.mount_value), $.mount_value))));
      return choice(
        seq(field('key', alias($._mount_text, $.mount_key)), optional(assignment)),
        assignment,
      );
    },
    mount_value: $ => parts($._mount_text, [$.expansion, $.double_quoted_string, $.single_quoted_string]),


    json_array: $ => seq(
      alias($._json_open, '['),
      optional(seq($.json_string, repeat(seq(',', $.json_string)))),
      ']',
    ),
    json_string: _ => /"([^"\\\n]|\\[^\n])*"/,

    shell_command: $ => prec.right(repeat1(choice($.shell_fragment, $.heredoc_marker))),

    heredoc: $ => seq($._heredoc_nl, optional($.heredoc_body), optional($.heredoc_end)),

    // Arguments that BuildKit splits at whitespace before anything else
    // (FROM, COPY, ADD, VOLUME, EXPOSE): quotes do not group words there.
    _path: $ => parts($._path_text, [$.expansion]),

    // A builder-expanded word: text, quoted strings and expansions, adjacent.
    word: $ => parts($._word_text, [$.double_quoted_string, $.single_quoted_string, $.expansion]),

    _key: $ => parts($._key_text, [$.double_quoted_string, $.single_quoted_string, $.expansion]),

    // The rest of a line taken as one string (USER, WORKDIR, legacy ENV values…).
    text: $ => parts($._raw_text, [$.expansion]),

    double_quoted_string: $ => prec.right(seq(
      '"',
      repeat(choice($._dq_text, $.expansion)),
      optional('"'),
    )),
    single_quoted_string: $ => prec.right(seq("'", optional($._sq_text), optional("'"))),

    expansion: $ => choice(
      seq('$', alias(token.immediate(/[A-Za-z_][A-Za-z0-9_]*/), $.variable)),
      seq(
        '${',
        optional(alias(token.immediate(/[A-Za-z_][A-Za-z0-9_]*/), $.variable)),
        optional(seq(
          field('operator', $.expansion_operator),
          optional(field('argument', $.expansion_argument)),
        )),
        '}',
      ),
    ),
    expansion_operator: _ => token(choice(':-', ':+', ':?', ':', '-', '+', '?', '#', '##', '%', '%%', '/', '//')),
    expansion_argument: $ => prec.right(repeat1(choice(
      $._expansion_text,
      $.expansion,
      $.double_quoted_string,
      $.single_quoted_string,
    ))),
  },
});
