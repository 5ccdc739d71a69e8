/*
 * External scanner for the dockerfile-ls grammar.
 *
 * BuildKit reads a Dockerfile line by line: the escape character (`\`, or a
 * backtick after `# escape=``) at the end of a line continues it, comment and
 * blank lines inside a continuation are dropped, and heredoc bodies follow the
 * logical line that opened them. None of that fits tree-sitter's regular
 * lexer, whose tokens cannot depend on a character chosen by a directive, so
 * this scanner lexes every token whose extent depends on the escape
 * character, on the position in the line, or on heredoc state. Its state is
 * small (escape character, a few flags, the pending heredoc delimiters) and is
 * serialized with every external token, so an edit of the escape directive
 * invalidates exactly the subtrees lexed under the old one.
 */

#include "tree_sitter/alloc.h"
#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum TokenType {
  NEWLINE,
  HEREDOC_NL,
  END_OF_FILE,
  LINE_CONTINUATION,
  COMMENT,
  PARSER_DIRECTIVE,
  WS,
  FLAG_START,
  JSON_OPEN,
  KW_FROM,
  KW_RUN,
  KW_CMD,
  KW_LABEL,
  KW_MAINTAINER,
  KW_EXPOSE,
  KW_ENV,
  KW_ADD,
  KW_COPY,
  KW_ENTRYPOINT,
  KW_VOLUME,
  KW_USER,
  KW_WORKDIR,
  KW_ARG,
  KW_ONBUILD,
  KW_STOPSIGNAL,
  KW_HEALTHCHECK,
  KW_SHELL,
  KW_UNKNOWN,
  KW_AS,
  KW_NONE,
  KW_HEALTHCHECK_CMD,
  WORD_TEXT,
  PATH_TEXT,
  KEY_TEXT,
  MOUNT_TEXT,
  IMAGE_NAME_TEXT,
  IMAGE_TAG_TEXT,
  IMAGE_DIGEST_TEXT,
  DQ_TEXT,
  SQ_TEXT,
  EXPANSION_TEXT,
  RAW_TEXT,
  SHELL_FRAGMENT,
  HEREDOC_MARKER,
  HEREDOC_BODY,
  HEREDOC_END,
  ERROR_SENTINEL,
};

static const char *const INSTRUCTION_WORDS[] = {
    "from", "run",    "cmd",     "label",   "maintainer", "expose",
    "env",  "add",    "copy",    "entrypoint", "volume",  "user",
    "workdir", "arg", "onbuild", "stopsignal", "healthcheck", "shell",
};
#define INSTRUCTION_COUNT 18
#define LONGEST_KEYWORD 11

#define MAX_HEREDOCS 8
#define MAX_DELIMITER 64

typedef struct {
  uint8_t length;
  bool chomp;
  uint8_t bytes[MAX_DELIMITER];
} Heredoc;

typedef struct {
  int32_t escape;
  // inside a logical line that a continuation has extended
  bool in_continuation;
  // the last token was a comment line inside a continuation, so its newline
  // continues the instruction instead of ending it
  bool comment_in_continuation;
  // still before the first line that is not a parser directive
  bool directive_zone;
  // the last directive-related token was a directive start
  bool directive_line;
  uint8_t heredoc_count;
  Heredoc heredocs[MAX_HEREDOCS];
} Scanner;

// ---------------------------------------------------------------------------
// character classes

static inline bool is_hspace(int32_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == 0xFEFF;
}

static inline bool is_name_start(int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static inline bool is_name_char(int32_t c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

static inline bool is_digit(int32_t c) { return c >= '0' && c <= '9'; }

static inline int32_t to_lower(int32_t c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }
static inline void skip(TSLexer *lexer) { lexer->advance(lexer, true); }

// ---------------------------------------------------------------------------
// line-level helpers

/*
 * At an escape character: consumes it and reports whether it ends the line
 * (only spaces or tabs up to the newline or the end of the file), which makes
 * it a line continuation. On false the escape character has been consumed and
 * the lexer sits on the character after it.
 */
static bool consume_escape_is_continuation(TSLexer *lexer) {
  advance(lexer);
  while (lexer->lookahead == ' ' || lexer->lookahead == '\t' || lexer->lookahead == '\r' ||
         lexer->lookahead == '\f' || lexer->lookahead == '\v') {
    advance(lexer);
  }
  return lexer->lookahead == '\n' || lexer->eof(lexer);
}

/*
 * After a continuation's newline: consumes following blank lines, which
 * BuildKit drops inside a continuation, and marks the token end after the
 * last of them.
 */
static void absorb_blank_lines(TSLexer *lexer) {
  for (;;) {
    lexer->mark_end(lexer);
    while (is_hspace(lexer->lookahead)) advance(lexer);
    if (lexer->lookahead == '\n') {
      advance(lexer);
      continue;
    }
    return;
  }
}

/*
 * Looks past whitespace, continuations, and the blank and comment lines they
 * drop, and reports whether anything of the logical line is left. Used to
 * tell separating whitespace from trailing whitespace.
 */
static bool rest_of_line_has_content(Scanner *s, TSLexer *lexer) {
  for (;;) {
    while (is_hspace(lexer->lookahead)) advance(lexer);
    if (lexer->eof(lexer) || lexer->lookahead == '\n') return false;
    if (lexer->lookahead != s->escape) return true;
    if (!consume_escape_is_continuation(lexer)) return true;
    if (lexer->eof(lexer)) return false;
    advance(lexer);
    // skip blank lines and comment lines dropped by the continuation
    for (;;) {
      while (is_hspace(lexer->lookahead)) advance(lexer);
      if (lexer->lookahead == '\n') {
        advance(lexer);
        continue;
      }
      if (lexer->lookahead == '#') {
        while (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
        if (lexer->eof(lexer)) return false;
        advance(lexer);
        continue;
      }
      break;
    }
    if (lexer->eof(lexer)) return false;
  }
}

/*
 * Just after a continuation's newline: skips the blank and comment lines it
 * drops and reports whether the logical line goes on. It only ends at the
 * end of the file.
 */
static bool content_after_continuation(Scanner *s, TSLexer *lexer) {
  for (;;) {
    while (is_hspace(lexer->lookahead)) advance(lexer);
    if (lexer->eof(lexer)) return false;
    if (lexer->lookahead == '\n') {
      advance(lexer);
      continue;
    }
    if (lexer->lookahead == '#') {
      while (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
      continue;
    }
    return rest_of_line_has_content(s, lexer);
  }
}

// ---------------------------------------------------------------------------
// heredocs

static void encode_utf8(int32_t c, uint8_t *out, unsigned *len) {
  if (c < 0x80) {
    out[(*len)++] = (uint8_t)c;
  } else if (c < 0x800) {
    out[(*len)++] = (uint8_t)(0xC0 | (c >> 6));
    out[(*len)++] = (uint8_t)(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out[(*len)++] = (uint8_t)(0xE0 | (c >> 12));
    out[(*len)++] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
    out[(*len)++] = (uint8_t)(0x80 | (c & 0x3F));
  } else {
    out[(*len)++] = (uint8_t)(0xF0 | (c >> 18));
    out[(*len)++] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
    out[(*len)++] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
    out[(*len)++] = (uint8_t)(0x80 | (c & 0x3F));
  }
}

/*
 * At a possible heredoc word `[digits]<<[-]WORD` (BuildKit's
 * `^(\d*)<<(-?)([^<]*)$` applied to a shell word): consumes it and, when it
 * is one, fills `out` with the delimiter (quotes removed) and marks the end.
 * Returns false when the word is not a heredoc; the lexer has then consumed
 * some of it, which callers treat as ordinary text.
 */
static bool scan_heredoc_word(Scanner *s, TSLexer *lexer, Heredoc *out, bool mark,
                              bool *last_was_content) {
#define TAKE()                                \
  do {                                        \
    advance(lexer);                           \
    if (mark) lexer->mark_end(lexer);         \
    *last_was_content = true;                 \
  } while (0)
  *last_was_content = false;
  while (is_digit(lexer->lookahead)) TAKE();
  if (lexer->lookahead != '<') return false;
  TAKE();
  if (lexer->lookahead != '<') return false;
  TAKE();
  out->chomp = false;
  if (lexer->lookahead == '-') {
    out->chomp = true;
    TAKE();
  }
  unsigned len = 0;
  int32_t quote = 0;
  for (;;) {
    int32_t c = lexer->lookahead;
    if (lexer->eof(lexer) || c == '\n') break;
    if (quote == 0 && is_hspace(c)) break;
    if (quote == 0 && c == s->escape) {
      // a continuation ends the word; an escaped character belongs to it
      if (consume_escape_is_continuation(lexer)) {
        *last_was_content = false;
        break;
      }
      c = lexer->lookahead;
      if (lexer->eof(lexer) || c == '\n') {
        *last_was_content = false;
        break;
      }
      if (len + 4 <= MAX_DELIMITER) encode_utf8(c, out->bytes, &len);
      TAKE();
      continue;
    }
    if (c == '<') return false;
    if (quote == 0 && (c == '"' || c == '\'')) {
      quote = c;
    } else if (quote != 0 && c == quote) {
      quote = 0;
    } else if (len + 4 <= MAX_DELIMITER) {
      encode_utf8(c, out->bytes, &len);
    }
    TAKE();
  }
#undef TAKE
  if (len == 0) return false;
  out->length = (uint8_t)len;
  return true;
}

/* Compares the current line with a delimiter, consuming what it reads. */
static bool line_is_delimiter(TSLexer *lexer, const Heredoc *h) {
  if (h->chomp) {
    while (lexer->lookahead == '\t') advance(lexer);
  }
  unsigned i = 0;
  while (i < h->length) {
    if (lexer->eof(lexer) || lexer->lookahead == '\n') return false;
    uint8_t buf[4];
    unsigned n = 0;
    encode_utf8(lexer->lookahead, buf, &n);
    if (i + n > h->length || memcmp(buf, h->bytes + i, n) != 0) return false;
    i += n;
    advance(lexer);
  }
  // BuildKit trims only the line ending before comparing
  while (lexer->lookahead == '\r') advance(lexer);
  return lexer->eof(lexer) || lexer->lookahead == '\n';
}

static void pop_heredoc(Scanner *s) {
  if (s->heredoc_count == 0) return;
  memmove(&s->heredocs[0], &s->heredocs[1], sizeof(Heredoc) * (s->heredoc_count - 1));
  s->heredoc_count--;
}

static bool scan_heredoc_content(Scanner *s, TSLexer *lexer, const bool *valid) {
  const Heredoc *h = &s->heredocs[0];
  bool has_body = false;
  for (;;) {
    if (lexer->eof(lexer)) break;
    if (line_is_delimiter(lexer, h)) {
      if (has_body) {
        lexer->result_symbol = HEREDOC_BODY;
        return true;
      }
      if (!valid[HEREDOC_END]) return false;
      while (lexer->lookahead == '\r') advance(lexer);
      lexer->mark_end(lexer);
      lexer->result_symbol = HEREDOC_END;
      pop_heredoc(s);
      return true;
    }
    while (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
    if (lexer->eof(lexer)) {
      lexer->mark_end(lexer);
      has_body = true;
      break;
    }
    advance(lexer);
    lexer->mark_end(lexer);
    has_body = true;
  }
  if (has_body && valid[HEREDOC_BODY]) {
    lexer->result_symbol = HEREDOC_BODY;
    // unterminated: the body ran to the end of the file
    s->heredoc_count = 0;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// directives and comments

/*
 * At `#` on a line that may hold a parser directive: consumes the line,
 * marking the end after its last non-blank character, and reports whether it
 * has BuildKit's directive shape `#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`
 * with a known key. Otherwise the same line is a comment.
 */
static bool scan_directive(TSLexer *lexer, bool *is_escape, int32_t *escape_value) {
#define TAKE()                                          \
  do {                                                  \
    if (!is_hspace(lexer->lookahead)) {                 \
      advance(lexer);                                   \
      lexer->mark_end(lexer);                           \
    } else {                                            \
      advance(lexer);                                   \
    }                                                   \
  } while (0)
  char key[16];
  unsigned key_len = 0;
  bool shape = true;
  TAKE();  // '#'
  while (is_hspace(lexer->lookahead)) TAKE();
  int32_t c = lexer->lookahead;
  if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) shape = false;
  while (shape && ((lexer->lookahead >= 'a' && lexer->lookahead <= 'z') ||
                   (lexer->lookahead >= 'A' && lexer->lookahead <= 'Z') ||
                   is_digit(lexer->lookahead))) {
    if (key_len < sizeof(key) - 1) key[key_len++] = (char)to_lower(lexer->lookahead);
    else shape = false;
    TAKE();
  }
  key[key_len] = 0;
  while (shape && is_hspace(lexer->lookahead)) TAKE();
  if (lexer->lookahead != '=') shape = false;
  if (shape) TAKE();
  while (shape && is_hspace(lexer->lookahead)) TAKE();
  int32_t first = lexer->lookahead;
  unsigned value_len = 0;
  while (!lexer->eof(lexer) && lexer->lookahead != '\n') {
    if (!is_hspace(lexer->lookahead)) value_len++;
    TAKE();
  }
#undef TAKE
  if (!shape || value_len == 0) return false;
  if (strcmp(key, "syntax") != 0 && strcmp(key, "escape") != 0 && strcmp(key, "check") != 0) {
    return false;
  }
  *is_escape = strcmp(key, "escape") == 0;
  *escape_value = value_len == 1 ? first : 0;
  return true;
}

static void scan_comment_text(TSLexer *lexer) {
  // the comment ends before the line ending, `\r` included
  while (!lexer->eof(lexer) && lexer->lookahead != '\n') {
    if (lexer->lookahead != '\r') {
      advance(lexer);
      lexer->mark_end(lexer);
    } else {
      advance(lexer);
    }
  }
}

// ---------------------------------------------------------------------------
// keywords

static bool scan_keyword(Scanner *s, TSLexer *lexer, const bool *valid) {
  char word[LONGEST_KEYWORD + 1];
  unsigned len = 0;
  bool too_long = false;
  unsigned consumed = 0;
  for (;;) {
    int32_t c = lexer->lookahead;
    if (lexer->eof(lexer) || c == '\n' || is_hspace(c)) break;
    if (c == s->escape) {
      lexer->mark_end(lexer);
      if (consume_escape_is_continuation(lexer)) break;
      consumed++;
      too_long = true;  // an escaped character is never part of a keyword
      continue;
    }
    if (len < LONGEST_KEYWORD) {
      word[len++] = (char)to_lower(c);
    } else {
      too_long = true;
    }
    consumed++;
    advance(lexer);
    lexer->mark_end(lexer);
  }
  if (consumed == 0) return false;
  word[len] = 0;
  if (!too_long) {
    for (unsigned i = 0; i < INSTRUCTION_COUNT; i++) {
      if (strcmp(word, INSTRUCTION_WORDS[i]) == 0) {
        if (valid[KW_FROM + i]) {
          lexer->result_symbol = KW_FROM + i;
          return true;
        }
        break;
      }
    }
  }
  if (!valid[KW_UNKNOWN]) return false;
  lexer->result_symbol = KW_UNKNOWN;
  return true;
}

/* A case-insensitive word such as AS, NONE or CMD, followed by a word end. */
static bool scan_exact_word(Scanner *s, TSLexer *lexer, const char *expected) {
  // each matched character is marked: on a mismatch it begins a text token
  for (const char *p = expected; *p; p++) {
    if (to_lower(lexer->lookahead) != *p) return false;
    advance(lexer);
    lexer->mark_end(lexer);
  }
  int32_t c = lexer->lookahead;
  if (lexer->eof(lexer) || c == '\n' || is_hspace(c)) return true;
  if (c == s->escape) return consume_escape_is_continuation(lexer);
  return false;
}

// ---------------------------------------------------------------------------
// JSON form

/*
 * BuildKit takes an argument as JSON only when the whole rest of the logical
 * line is a JSON array; anything else falls back to shell form. Validates
 * that from `[` onwards (strings only; a continuation may sit between tokens).
 */
static bool skip_json_space(Scanner *s, TSLexer *lexer) {
  for (;;) {
    while (is_hspace(lexer->lookahead)) advance(lexer);
    if (lexer->lookahead != s->escape) return true;
    if (!consume_escape_is_continuation(lexer)) return false;
    if (lexer->eof(lexer)) return true;
    advance(lexer);
    for (;;) {
      while (is_hspace(lexer->lookahead)) advance(lexer);
      if (lexer->lookahead == '\n') {
        advance(lexer);
        continue;
      }
      if (lexer->lookahead == '#') {
        while (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
        continue;
      }
      break;
    }
  }
}

static bool scan_json_string(TSLexer *lexer) {
  if (lexer->lookahead != '"') return false;
  advance(lexer);
  for (;;) {
    int32_t c = lexer->lookahead;
    if (lexer->eof(lexer) || c == '\n' || c < 0x20) return false;
    advance(lexer);
    if (c == '"') return true;
    if (c == '\\') {
      int32_t e = lexer->lookahead;
      if (e == 'u') {
        advance(lexer);
        for (int i = 0; i < 4; i++) {
          int32_t h = lexer->lookahead;
          if (!(is_digit(h) || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) return false;
          advance(lexer);
        }
      } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                 e == 'r' || e == 't') {
        advance(lexer);
      } else {
        return false;
      }
    }
  }
}

static bool json_array_follows(Scanner *s, TSLexer *lexer) {
  // the lexer is just past '['
  if (!skip_json_space(s, lexer)) return false;
  if (lexer->lookahead == ']') {
    advance(lexer);
  } else {
    for (;;) {
      if (!scan_json_string(lexer)) return false;
      if (!skip_json_space(s, lexer)) return false;
      if (lexer->lookahead == ',') {
        advance(lexer);
        if (!skip_json_space(s, lexer)) return false;
        continue;
      }
      if (lexer->lookahead == ']') {
        advance(lexer);
        break;
      }
      return false;
    }
  }
  if (!skip_json_space(s, lexer)) return false;
  return lexer->eof(lexer) || lexer->lookahead == '\n';
}

// ---------------------------------------------------------------------------
// text tokens
//
// Every text scanner may be entered with `started` set: the token then began
// with an escaped character that the caller has already consumed and marked.

enum TextKind { TEXT_WORD, TEXT_PATH, TEXT_KEY, TEXT_MOUNT, TEXT_DQ, TEXT_SQ, TEXT_EXPANSION, TEXT_RAW };

/* `$` starts an expansion when a name or `{` follows, as in BuildKit's lexer. */
static bool at_expansion(TSLexer *lexer) {
  // lexer sits on '$'; peeking consumes it, so callers mark the end first
  advance(lexer);
  return is_name_start(lexer->lookahead) || lexer->lookahead == '{';
}

/*
 * Scans text of one kind up to the next place where another token starts:
 * whitespace (for words), quotes, an expansion, a continuation or the end of
 * the line. The escape character takes the next character with it, except in
 * single quotes. Trailing whitespace is never part of the token.
 */
static bool scan_text(Scanner *s, TSLexer *lexer, enum TextKind kind, bool started) {
  bool any = started;
  bool stops_at_space = kind == TEXT_WORD || kind == TEXT_PATH || kind == TEXT_KEY || kind == TEXT_MOUNT;
  for (;;) {
    int32_t c = lexer->lookahead;
    if (lexer->eof(lexer) || c == '\n') break;
    if (is_hspace(c)) {
      if (stops_at_space) break;
      advance(lexer);
      if (kind != TEXT_RAW) {
        // inside quotes and expansions whitespace is content
        lexer->mark_end(lexer);
        any = true;
      }
      continue;
    }
    if (kind == TEXT_SQ) {
      if (c == '\'') break;
      if (c == s->escape) {
        lexer->mark_end(lexer);
        if (consume_escape_is_continuation(lexer)) break;
        lexer->mark_end(lexer);
        any = true;
        continue;
      }
      advance(lexer);
      lexer->mark_end(lexer);
      any = true;
      continue;
    }
    bool quotes_are_text = kind == TEXT_RAW || kind == TEXT_PATH;
    if (c == '"' && !quotes_are_text) break;
    if (c == '\'' && !quotes_are_text && kind != TEXT_DQ) break;
    if (c == '}' && kind == TEXT_EXPANSION) break;
    if ((c == '=' && (kind == TEXT_KEY || kind == TEXT_MOUNT)) || (c == ',' && kind == TEXT_MOUNT)) {
      break;
    }
    if (c == '$') {
      lexer->mark_end(lexer);
      if (at_expansion(lexer)) break;
      any = true;
      lexer->mark_end(lexer);
      continue;
    }
    if (c == s->escape) {
      lexer->mark_end(lexer);
      if (consume_escape_is_continuation(lexer)) break;
      // the escaped character belongs to the text, whatever it is
      if (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
      lexer->mark_end(lexer);
      any = true;
      continue;
    }
    advance(lexer);
    lexer->mark_end(lexer);
    any = true;
  }
  return any;
}

/*
 * Image references: `name[:tag][@digest]`, where a colon followed later by
 * `/` belongs to the registry (`localhost:5000/app`), not to a tag.
 */
static bool scan_image_text(Scanner *s, TSLexer *lexer, enum TokenType kind, bool started) {
  bool any = started;
  bool colon_pending = false;
  for (;;) {
    int32_t c = lexer->lookahead;
    if (lexer->eof(lexer) || c == '\n' || is_hspace(c)) break;
    if (c == '@' && kind != IMAGE_DIGEST_TEXT) break;
    if (c == ':' && kind == IMAGE_TAG_TEXT) break;
    if (c == '$') {
      if (!colon_pending) lexer->mark_end(lexer);
      if (at_expansion(lexer)) break;
      if (!colon_pending) {
        lexer->mark_end(lexer);
        any = true;
      }
      continue;
    }
    if (c == s->escape) {
      if (!colon_pending) lexer->mark_end(lexer);
      if (consume_escape_is_continuation(lexer)) break;
      if (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
      if (!colon_pending) {
        lexer->mark_end(lexer);
        any = true;
      }
      continue;
    }
    if (c == ':' && kind == IMAGE_NAME_TEXT && !colon_pending) {
      // a tag colon unless a '/' follows in the same word
      lexer->mark_end(lexer);
      colon_pending = true;
      advance(lexer);
      continue;
    }
    if (c == '/' && colon_pending) colon_pending = false;
    advance(lexer);
    if (!colon_pending) {
      lexer->mark_end(lexer);
      any = true;
    }
  }
  return any;
}

/*
 * Shell-form text, taken raw to the end of the line or a continuation. In
 * RUN, COPY and ADD it stops before a heredoc word so that the marker becomes
 * its own token. BuildKit's continuation rule looks at the one character
 * before the escape: `foo\\` at the end of a line does not continue it.
 */
static bool scan_shell_fragment(Scanner *s, TSLexer *lexer, bool heredocs, bool started) {
  bool any = started;
  bool word_start = !started;
  int32_t quote = 0;
  int32_t previous = started ? s->escape : 0;
  for (;;) {
    int32_t c = lexer->lookahead;
    if (lexer->eof(lexer) || c == '\n') break;
    if (is_hspace(c)) {
      advance(lexer);
      if (quote == 0) word_start = true;
      previous = c;
      continue;
    }
    if (heredocs && word_start && quote == 0 && (c == '<' || is_digit(c))) {
      Heredoc h;
      bool content = false;
      if (!any) return false;  // the caller lexes the marker itself
      // end the fragment before a heredoc word; the next call lexes it
      if (scan_heredoc_word(s, lexer, &h, false, &content)) return true;
      if (content) lexer->mark_end(lexer);
      word_start = false;
      previous = 0;
      continue;
    }
    word_start = false;
    if (c == s->escape && previous != s->escape) {
      lexer->mark_end(lexer);
      if (consume_escape_is_continuation(lexer)) break;
      lexer->mark_end(lexer);
      any = true;
      previous = s->escape;
      continue;
    }
    if (quote == 0 && (c == '"' || c == '\'')) {
      quote = c;
    } else if (quote == c) {
      quote = 0;
    }
    previous = c == s->escape ? 0 : c;
    advance(lexer);
    lexer->mark_end(lexer);
    any = true;
  }
  return any;
}

/*
 * The text token valid here, by priority. Only one kind is tried: each
 * scanner consumes input, so a failed attempt cannot be followed by another.
 */
static bool scan_text_token(Scanner *s, TSLexer *lexer, const bool *valid, bool started) {
  if (valid[DQ_TEXT]) {
    lexer->result_symbol = DQ_TEXT;
    return scan_text(s, lexer, TEXT_DQ, started);
  }
  if (valid[SQ_TEXT]) {
    lexer->result_symbol = SQ_TEXT;
    return scan_text(s, lexer, TEXT_SQ, started);
  }
  if (valid[EXPANSION_TEXT]) {
    lexer->result_symbol = EXPANSION_TEXT;
    return scan_text(s, lexer, TEXT_EXPANSION, started);
  }
  if (valid[MOUNT_TEXT]) {
    lexer->result_symbol = MOUNT_TEXT;
    return scan_text(s, lexer, TEXT_MOUNT, started);
  }
  if (valid[KEY_TEXT]) {
    lexer->result_symbol = KEY_TEXT;
    return scan_text(s, lexer, TEXT_KEY, started);
  }
  if (valid[IMAGE_NAME_TEXT]) {
    lexer->result_symbol = IMAGE_NAME_TEXT;
    return scan_image_text(s, lexer, IMAGE_NAME_TEXT, started);
  }
  if (valid[IMAGE_TAG_TEXT]) {
    lexer->result_symbol = IMAGE_TAG_TEXT;
    return scan_image_text(s, lexer, IMAGE_TAG_TEXT, started);
  }
  if (valid[IMAGE_DIGEST_TEXT]) {
    lexer->result_symbol = IMAGE_DIGEST_TEXT;
    return scan_image_text(s, lexer, IMAGE_DIGEST_TEXT, started);
  }
  if (valid[WORD_TEXT]) {
    lexer->result_symbol = WORD_TEXT;
    return scan_text(s, lexer, TEXT_WORD, started);
  }
  if (valid[PATH_TEXT]) {
    lexer->result_symbol = PATH_TEXT;
    return scan_text(s, lexer, TEXT_PATH, started);
  }
  if (valid[RAW_TEXT]) {
    lexer->result_symbol = RAW_TEXT;
    return scan_text(s, lexer, TEXT_RAW, started);
  }
  if (valid[SHELL_FRAGMENT]) {
    lexer->result_symbol = SHELL_FRAGMENT;
    return scan_shell_fragment(s, lexer, valid[HEREDOC_MARKER], started);
  }
  return false;
}

// ---------------------------------------------------------------------------
// the scan entry point

static bool finish(Scanner *s, TSLexer *lexer, enum TokenType type) {
  lexer->result_symbol = type;
  if (type != LINE_CONTINUATION && type != COMMENT) {
    s->in_continuation = false;
    s->comment_in_continuation = false;
  }
  if (type != PARSER_DIRECTIVE && type != NEWLINE && type != END_OF_FILE) {
    s->directive_zone = false;
  }
  return true;
}

/*
 * Continuations, blank lines and comments up to the end of the file, from
 * where the lexer is: one token that ends the instruction, in every parse
 * state alike, so that an incremental parse meets the same tokens as a fresh
 * one.
 */
static bool finish_at_end_of_file(Scanner *s, TSLexer *lexer) {
  while (!lexer->eof(lexer)) advance(lexer);
  lexer->mark_end(lexer);
  s->heredoc_count = 0;
  return finish(s, lexer, END_OF_FILE);
}

static bool scan_line_continuation(Scanner *s, TSLexer *lexer, bool file_may_end) {
  // the lexer is past the escape and the spaces after it
  if (!lexer->eof(lexer)) {
    advance(lexer);
    absorb_blank_lines(lexer);
    if (file_may_end && !content_after_continuation(s, lexer)) return finish_at_end_of_file(s, lexer);
  } else {
    if (file_may_end) return finish_at_end_of_file(s, lexer);
    lexer->mark_end(lexer);
  }
  lexer->result_symbol = LINE_CONTINUATION;
  s->in_continuation = true;
  s->comment_in_continuation = false;
  s->directive_zone = false;
  return true;
}

static bool scan(Scanner *s, TSLexer *lexer, const bool *valid) {
  bool recovering = valid[ERROR_SENTINEL];

  if (!recovering && s->heredoc_count > 0 && (valid[HEREDOC_BODY] || valid[HEREDOC_END]) &&
      lexer->get_column(lexer) == 0) {
    if (scan_heredoc_content(s, lexer, valid)) return finish(s, lexer, lexer->result_symbol);
    if (!lexer->eof(lexer)) return false;
  }

  if (!recovering) {
    int32_t c = lexer->lookahead;
    bool line_ends = lexer->eof(lexer) || c == '\n';
    bool escape = c == s->escape && !s->directive_line;
    // Text inside quotes and expansions keeps its whitespace. A failed attempt
    // has consumed input, so it must not fall through to other tokens.
    if (!line_ends && !escape) {
      if (valid[DQ_TEXT]) return scan_text(s, lexer, TEXT_DQ, false) && finish(s, lexer, DQ_TEXT);
      if (valid[SQ_TEXT]) return scan_text(s, lexer, TEXT_SQ, false) && finish(s, lexer, SQ_TEXT);
      if (valid[EXPANSION_TEXT]) {
        return scan_text(s, lexer, TEXT_EXPANSION, false) && finish(s, lexer, EXPANSION_TEXT);
      }
    }
  }

  // A line's end is a zero-width token right after its last token, so that
  // an instruction, which ends with it, ends with its last character. The
  // line break itself and any blank lines after it are the padding of the
  // next line's first token.
  bool line_may_end = !recovering && valid[NEWLINE];
  bool heredoc_follows = !recovering && s->heredoc_count > 0 && valid[HEREDOC_NL];
  if (line_may_end && (is_hspace(lexer->lookahead) || lexer->lookahead == '\n' || lexer->eof(lexer))) {
    lexer->mark_end(lexer);
  }

  // Whitespace is never part of a token: skipped here as padding, exactly as
  // the lexer skips it where `_ws` is not expected, so that a token's extent
  // never depends on the parse state it was lexed in (incremental reparses
  // reuse tokens across states). So are line breaks where no line can end
  // (after a line's end, and while recovering from an error).
  uint32_t skipped = 0;
  uint32_t line_breaks = 0;
  for (;;) {
    while (is_hspace(lexer->lookahead)) {
      skip(lexer);
      skipped++;
    }
    if (lexer->lookahead != '\n' || line_may_end || heredoc_follows || s->comment_in_continuation) break;
    // a blank line ends the parser directives
    if (line_breaks == 0 && s->directive_zone && lexer->get_column(lexer) == skipped) {
      s->directive_zone = false;
    }
    skip(lexer);
    line_breaks++;
    skipped = 0;
  }
  if (line_breaks > 1) s->directive_zone = false;
  bool line_start = line_breaks > 0;

  if (line_may_end && !heredoc_follows && !s->comment_in_continuation && lexer->lookahead == '\n') {
    s->heredoc_count = 0;
    if (!s->directive_line) s->directive_zone = false;
    s->directive_line = false;
    return finish(s, lexer, NEWLINE);
  }

  if (!recovering && valid[WS] && !line_start && skipped > 0 && !lexer->eof(lexer) &&
      lexer->lookahead != '\n') {
    // `_ws` is zero-width: it separates the words around it
    lexer->mark_end(lexer);
    if (lexer->lookahead != s->escape || s->directive_line) return finish(s, lexer, WS);
    if (!consume_escape_is_continuation(lexer)) return finish(s, lexer, WS);
    if (!lexer->eof(lexer)) {
      advance(lexer);
      if (content_after_continuation(s, lexer)) return finish(s, lexer, WS);
    }
    // Only continuations and comments up to the end of the file: they end
    // the instruction
    if (!valid[END_OF_FILE]) return false;
    return finish_at_end_of_file(s, lexer);
  }


  if (lexer->eof(lexer)) {
    // the end of a line, or of trailing blank lines (see above)
    if (!recovering && valid[END_OF_FILE] && (line_may_end || line_breaks > 0)) {
      s->heredoc_count = 0;
      return finish(s, lexer, END_OF_FILE);
    }
    return false;
  }

  int32_t c = lexer->lookahead;

  if (c == '\n') {
    if (s->comment_in_continuation) {
      advance(lexer);
      absorb_blank_lines(lexer);
      lexer->result_symbol = LINE_CONTINUATION;
      s->comment_in_continuation = false;
      s->in_continuation = true;
      return true;
    }
    if (heredoc_follows) {
      advance(lexer);
      lexer->mark_end(lexer);
      return finish(s, lexer, HEREDOC_NL);
    }
    return false;
  }

  // parser directives have no continuations: `# escape=\` ends its line
  if (c == s->escape && !s->directive_line) {
    lexer->mark_end(lexer);
    if (consume_escape_is_continuation(lexer)) {
      return scan_line_continuation(s, lexer, !recovering && valid[END_OF_FILE]);
    }
    if (recovering) return false;
    // an escaped character starts a text token
    if (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
    lexer->mark_end(lexer);
    if (valid[KW_UNKNOWN]) {
      while (!lexer->eof(lexer) && lexer->lookahead != '\n' && !is_hspace(lexer->lookahead)) {
        advance(lexer);
        lexer->mark_end(lexer);
      }
      return finish(s, lexer, KW_UNKNOWN);
    }
    if (!line_start && scan_text_token(s, lexer, valid, true)) {
      return finish(s, lexer, lexer->result_symbol);
    }
    return false;
  }

  if (c == '#' && lexer->get_column(lexer) == skipped) {
    if (s->directive_zone && !s->in_continuation && valid[PARSER_DIRECTIVE]) {
      bool is_escape = false;
      int32_t value = 0;
      if (scan_directive(lexer, &is_escape, &value)) {
        if (is_escape && (value == '\\' || value == '`')) s->escape = value;
        s->directive_line = true;
        return finish(s, lexer, PARSER_DIRECTIVE);
      }
      // the same line read as a comment ends the directives
      s->directive_zone = false;
      lexer->result_symbol = COMMENT;
      return true;
    }
    scan_comment_text(lexer);
    lexer->result_symbol = COMMENT;
    if (s->in_continuation) s->comment_in_continuation = true;
    s->directive_zone = false;
    return true;
  }

  if (recovering) {
    if (lexer->get_column(lexer) == skipped && scan_keyword(s, lexer, valid)) {
      return finish(s, lexer, lexer->result_symbol);
    }
    return false;
  }

  // after a line break only an instruction starts
  if (line_start) {
    return valid[KW_UNKNOWN] && scan_keyword(s, lexer, valid) && finish(s, lexer, lexer->result_symbol);
  }

  if (valid[FLAG_START] && c == '-') {
    lexer->mark_end(lexer);
    advance(lexer);
    // a flag's `--` is the lexer's token (see `_flag_start` in grammar.js)
    if (lexer->lookahead == '-') return false;
    lexer->mark_end(lexer);
    lexer->result_symbol = FLAG_START;
    scan_text_token(s, lexer, valid, true);
    return lexer->result_symbol != FLAG_START && finish(s, lexer, lexer->result_symbol);
  }

  if (valid[KW_UNKNOWN]) {
    return scan_keyword(s, lexer, valid) && finish(s, lexer, lexer->result_symbol);
  }

  if (valid[JSON_OPEN] && c == '[') {
    advance(lexer);
    lexer->mark_end(lexer);
    if (json_array_follows(s, lexer)) return finish(s, lexer, JSON_OPEN);
    // not JSON: shell form (or a list of words) that starts with '['
    lexer->result_symbol = JSON_OPEN;
    scan_text_token(s, lexer, valid, true);
    return lexer->result_symbol != JSON_OPEN && finish(s, lexer, lexer->result_symbol);
  }

  if (valid[KW_AS] && (c == 'a' || c == 'A')) {
    if (scan_exact_word(s, lexer, "as")) return finish(s, lexer, KW_AS);
    // scan_exact_word consumed a prefix of the word: continue it as text
    lexer->result_symbol = KW_AS;
    scan_text_token(s, lexer, valid, true);
    return lexer->result_symbol != KW_AS && finish(s, lexer, lexer->result_symbol);
  }

  if ((valid[KW_NONE] || valid[KW_HEALTHCHECK_CMD]) && (to_lower(c) == 'n' || to_lower(c) == 'c')) {
    bool none = to_lower(c) == 'n';
    if (scan_exact_word(s, lexer, none ? "none" : "cmd")) {
      return finish(s, lexer, none ? KW_NONE : KW_HEALTHCHECK_CMD);
    }
    lexer->result_symbol = KW_NONE;
    scan_text_token(s, lexer, valid, true);
    return lexer->result_symbol != KW_NONE && finish(s, lexer, lexer->result_symbol);
  }

  if (valid[HEREDOC_MARKER] && (c == '<' || is_digit(c))) {
    Heredoc h;
    bool content = false;
    if (scan_heredoc_word(s, lexer, &h, true, &content)) {
      if (s->heredoc_count < MAX_HEREDOCS) s->heredocs[s->heredoc_count++] = h;
      return finish(s, lexer, HEREDOC_MARKER);
    }
    // not a heredoc: what was read is the start of a text token
    lexer->result_symbol = HEREDOC_MARKER;
    scan_text_token(s, lexer, valid, true);
    return lexer->result_symbol != HEREDOC_MARKER && finish(s, lexer, lexer->result_symbol);
  }

  if (scan_text_token(s, lexer, valid, false)) return finish(s, lexer, lexer->result_symbol);
  return false;
}

// ---------------------------------------------------------------------------
// tree-sitter interface

void *tree_sitter_dockerfile_external_scanner_create(void) {
  Scanner *s = ts_calloc(1, sizeof(Scanner));
  s->escape = '\\';
  s->directive_zone = true;
  return s;
}

void tree_sitter_dockerfile_external_scanner_destroy(void *payload) { ts_free(payload); }

unsigned tree_sitter_dockerfile_external_scanner_serialize(void *payload, char *buffer) {
  Scanner *s = payload;
  unsigned n = 0;
  buffer[n++] = s->escape == '`' ? '`' : '\\';
  buffer[n++] = (char)((s->in_continuation ? 1 : 0) | (s->comment_in_continuation ? 2 : 0) |
                       (s->directive_zone ? 4 : 0) | (s->directive_line ? 8 : 0));
  buffer[n++] = (char)s->heredoc_count;
  for (unsigned i = 0; i < s->heredoc_count; i++) {
    const Heredoc *h = &s->heredocs[i];
    buffer[n++] = (char)h->chomp;
    buffer[n++] = (char)h->length;
    memcpy(buffer + n, h->bytes, h->length);
    n += h->length;
  }
  return n;
}

void tree_sitter_dockerfile_external_scanner_deserialize(void *payload, const char *buffer,
                                                         unsigned length) {
  Scanner *s = payload;
  s->escape = '\\';
  s->in_continuation = false;
  s->comment_in_continuation = false;
  s->directive_zone = true;
  s->directive_line = false;
  s->heredoc_count = 0;
  if (length < 3) return;
  unsigned n = 0;
  s->escape = buffer[n++] == '`' ? '`' : '\\';
  uint8_t flags = (uint8_t)buffer[n++];
  s->in_continuation = flags & 1;
  s->comment_in_continuation = flags & 2;
  s->directive_zone = flags & 4;
  s->directive_line = flags & 8;
  uint8_t count = (uint8_t)buffer[n++];
  for (unsigned i = 0; i < count && i < MAX_HEREDOCS && n + 2 <= length; i++) {
    Heredoc *h = &s->heredocs[i];
    h->chomp = buffer[n++];
    h->length = (uint8_t)buffer[n++];
    if (h->length > MAX_DELIMITER || n + h->length > length) break;
    memcpy(h->bytes, buffer + n, h->length);
    n += h->length;
    s->heredoc_count = (uint8_t)(i + 1);
  }
}

bool tree_sitter_dockerfile_external_scanner_scan(void *payload, TSLexer *lexer,
                                                  const bool *valid_symbols) {
  return scan((Scanner *)payload, lexer, valid_symbols);
}
