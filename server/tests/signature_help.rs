//! Signature help fixtures: `$0` marks the cursor; each case names the
//! active form's label and the text of its active parameter.

use dockerfile_ls::ide::{self, Analysis};

fn help(text: &str) -> Option<ide::SignatureHelp> {
    let cursor = text.find("$0").expect("a $0 cursor");
    let source = text.replacen("$0", "", 1);
    let analysis = Analysis::of_text(&source);
    ide::signature_help(&analysis, source.as_str(), cursor)
}

/// The active form's label and active parameter's text.
#[track_caller]
fn active(text: &str) -> (String, String) {
    let help = help(text).unwrap_or_else(|| panic!("no signature help in {text:?}"));
    let signature = &help.signatures[help.active_signature];
    let parameter = help
        .active_parameter
        .and_then(|i| signature.parameters.get(i))
        .map(|p| signature.label[p.range.clone()].to_string())
        .unwrap_or_default();
    for s in &help.signatures {
        assert!(s.label.is_ascii(), "labels are ASCII: {}", s.label);
        for p in &s.parameters {
            assert!(p.range.end <= s.label.len() && p.range.start < p.range.end);
        }
    }
    (signature.label.clone(), parameter)
}

#[track_caller]
fn assert_active(text: &str, label: &str, parameter: &str) {
    assert_eq!(
        active(text),
        (label.to_string(), parameter.to_string()),
        "in {text:?}"
    );
}

#[track_caller]
fn assert_none(text: &str) {
    assert!(
        help(text).is_none(),
        "unexpected signature help in {text:?}"
    );
}

const FROM: &str = "FROM [--platform=<platform>] <image>[:<tag>|@<digest>] [AS <name>]";

#[test]
fn from() {
    assert_active("FROM $0", FROM, "<image>[:<tag>|@<digest>]");
    assert_active("FROM --plat$0", FROM, "[--platform=<platform>]");
    assert_active(
        "FROM --platform=linux/arm64 alp$0",
        FROM,
        "<image>[:<tag>|@<digest>]",
    );
    assert_active("FROM alpine $0", FROM, "[AS <name>]");
    assert_active("FROM alpine AS b$0\n", FROM, "[AS <name>]");
}

#[test]
fn run_forms() {
    let shell = "RUN [flags] <command>";
    let exec = "RUN [flags] [\"<executable>\", \"<arg>\", ...]";
    let heredoc = "RUN [flags] <<EOF";
    assert_active("FROM a\nRUN $0", shell, "<command>");
    assert_active(
        "FROM a\nRUN apt-get update && \\\n    apt-get $0",
        shell,
        "<command>",
    );
    assert_active(
        "FROM a\nRUN --mou$0nt=type=cache,target=/c make",
        shell,
        "[flags]",
    );
    assert_active("FROM a\nRUN [\"s$0", exec, "\"<executable>\"");
    assert_active("FROM a\nRUN [\"sh\", \"-c\", $0]", exec, "\"<arg>\", ...");
    assert_active("FROM a\nRUN <<EOF$0\necho\nEOF\n", heredoc, "<<EOF");
    let help = help("FROM a\nRUN --$0").expect("help");
    let flags = &help.signatures[0].parameters[0].documentation;
    for flag in ["--mount", "--network", "--security", "--device"] {
        assert!(flags.contains(flag), "{flags}");
    }
    assert!(flags.contains("labs only"), "{flags}");
}

#[test]
fn cmd_and_entrypoint() {
    assert_active(
        "FROM a\nCMD [\"node\", $0",
        "CMD [\"<executable>\", \"<arg>\", ...]",
        "\"<arg>\", ...",
    );
    assert_active("FROM a\nCMD nginx $0", "CMD <command> <arg>...", "<arg>...");
    assert_active(
        "FROM a\nENTRYPOINT [\"tini$0\"]",
        "ENTRYPOINT [\"<executable>\", \"<arg>\", ...]",
        "\"<executable>\"",
    );
    assert_active(
        "FROM a\nENTRYPOINT $0",
        "ENTRYPOINT <command> <arg>...",
        "<command>",
    );
}

#[test]
fn copy_and_add() {
    let plain = "COPY [flags] <src>... <dest>";
    assert_active("FROM a\nCOPY $0", plain, "<src>...");
    assert_active("FROM a\nCOPY a$0 b", plain, "<src>...");
    assert_active("FROM a\nCOPY a $0", plain, "<dest>");
    assert_active("FROM a\nCOPY a b$0", plain, "<dest>");
    assert_active("FROM a\nCOPY a b c $0", plain, "<dest>");
    assert_active("FROM a\nCOPY --from=bu$0 a b", plain, "[flags]");
    let json = "COPY [flags] [\"<src>\", ..., \"<dest>\"]";
    assert_active(
        "FROM a\nCOPY [\"a b\", $0\"c\", \"/d\"]",
        json,
        "[\"<src>\", ...,",
    );
    assert_active("FROM a\nCOPY [\"a b\", \"/d$0\"]", json, "\"<dest>\"]");
    let heredoc = "COPY [flags] <<EOF <dest>";
    assert_active(
        "FROM a\nCOPY <<EOF /etc/motd$0\nhi\nEOF\n",
        heredoc,
        "<dest>",
    );
    assert_active(
        "FROM a\nADD --checksum=sha256:0 https://x $0",
        "ADD [flags] <src>... <dest>",
        "<dest>",
    );
}

#[test]
fn healthcheck() {
    let cmd = "HEALTHCHECK [flags] CMD <command>";
    assert_active("FROM a\nHEALTHCHECK --interval=5s $0", cmd, "CMD");
    assert_active(
        "FROM a\nHEALTHCHECK --interval=5s CMD cu$0rl",
        cmd,
        "<command>",
    );
    assert_active("FROM a\nHEALTHCHECK --time$0", cmd, "[flags]");
    assert_active("FROM a\nHEALTHCHECK NONE$0", "HEALTHCHECK NONE", "NONE");
}

#[test]
fn key_value_instructions() {
    let env = "ENV <key>=<value> ...";
    assert_active("FROM a\nENV A$0", env, "<key>");
    assert_active("FROM a\nENV A=$0", env, "<value>");
    assert_active("FROM a\nENV A=1 B$0", env, "<key>");
    assert_active("FROM a\nENV A hello $0", "ENV <key> <value>", "<value>");
    assert_active(
        "FROM a\nLABEL version=\"1.0\" $0",
        "LABEL <key>=<value> ...",
        "<key>",
    );
    let arg = "ARG <name>[=<default>] ...";
    assert_active("ARG A$0", arg, "<name>");
    assert_active("ARG A=$0", arg, "[=<default>]");
}

#[test]
fn ports_users_and_shell() {
    let expose = "EXPOSE <port>[/<protocol>] ...";
    assert_active("FROM a\nEXPOSE 80$0", expose, "<port>");
    assert_active("FROM a\nEXPOSE 80/$0", expose, "[/<protocol>]");
    let user = "USER <user>[:<group>]";
    assert_active("FROM a\nUSER app$0", user, "<user>");
    assert_active("FROM a\nUSER app:$0", user, "[:<group>]");
    let shell = "SHELL [\"<executable>\", \"<param>\", ...]";
    assert_active("FROM a\nSHELL [\"bash\", $0", shell, "\"<param>\", ...");
    assert_active("FROM a\nWORKDIR $0", "WORKDIR <path>", "<path>");
    assert_active("FROM a\nVOLUME /data $0", "VOLUME <path> ...", "<path> ...");
}

#[test]
fn onbuild_shows_the_trigger() {
    assert_active(
        "FROM a\nONBUILD $0",
        "ONBUILD <INSTRUCTION> <arguments>",
        "<INSTRUCTION>",
    );
    assert_active(
        "FROM a\nONBUILD RUN $0",
        "ONBUILD RUN [flags] <command>",
        "<command>",
    );
    assert_active(
        "FROM a\nONBUILD COPY . $0",
        "ONBUILD COPY [flags] <src>... <dest>",
        "<dest>",
    );
}

#[test]
fn nothing_outside_arguments() {
    assert_none("FROM a\nRU$0N true");
    assert_none("FROM a\nRUN$0 true");
    assert_none("FROM a\nRUN true\n$0\n");
    assert_none("FROM a\nRUN <<EOF\nech$0o\nEOF\n");
    assert_none("FROM a\nFOO $0");
    assert_none("# syntax=docker/dockerfile:1$0\nFROM a\n");
    // past the end, and on every byte of a multi-byte text: no panic
    let text = "FROM a\nLABEL a=\"é\" \\\n  b=1";
    let analysis = Analysis::of_text(text);
    for offset in 0..text.len() + 3 {
        let _ = ide::signature_help(&analysis, text, offset);
    }
}
