//! The glue to Zed: reads the user's `lsp.dockerfile-ls` settings and the
//! worktree, and hands them to the pure functions in `launch` and `settings`.

use zed_extension_api::{
    self as zed, serde_json::Value, settings::LspSettings, LanguageServerId, Result, Worktree,
};

use crate::{launch, settings};

struct DockerfileLs;

/// `lsp.<id>` from the settings that apply to `worktree`.
fn lsp_settings(id: &LanguageServerId, worktree: &Worktree) -> Result<LspSettings> {
    LspSettings::for_worktree(id.as_ref(), worktree)
        .map_err(|error| format!("dockerfile-ls: cannot read the lsp.{id} settings: {error}"))
}

impl zed::Extension for DockerfileLs {
    fn new() -> Self {
        DockerfileLs
    }

    fn language_server_command(
        &mut self,
        id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<zed::Command> {
        let binary = match lsp_settings(id, worktree)?.binary {
            Some(binary) => {
                let mut env: Vec<(String, String)> =
                    binary.env.unwrap_or_default().into_iter().collect();
                env.sort();
                launch::BinarySettings {
                    path: binary.path,
                    arguments: binary.arguments,
                    env,
                }
            }
            None => launch::BinarySettings::default(),
        };
        let launch = launch::resolve(
            &binary,
            &worktree.root_path(),
            worktree.shell_env(),
            |name| worktree.which(name),
        )?;
        Ok(zed::Command {
            command: launch.command,
            args: launch.args,
            env: launch.env,
        })
    }

    fn language_server_initialization_options(
        &mut self,
        id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<Option<Value>> {
        let lsp = lsp_settings(id, worktree)?;
        Ok(settings::initialization_options(
            lsp.initialization_options,
            lsp.settings,
        ))
    }

    fn language_server_workspace_configuration(
        &mut self,
        id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<Option<Value>> {
        let lsp = lsp_settings(id, worktree)?;
        Ok(Some(settings::workspace_configuration(lsp.settings)))
    }
}

zed::register_extension!(DockerfileLs);
