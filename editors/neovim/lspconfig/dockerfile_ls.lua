---@brief
---
--- dockerfile-ls: a language server for Dockerfiles that knows multi-stage builds the way
--- BuildKit does: stage diagnostics (`COPY --from=buidler` -> did you mean
--- 'builder'?), definition, references, highlights and rename of stages and
--- ARG/ENV variables, an outline of the stages, folding.
---
--- Install the `dockerfile-ls` binary from a checkout with cargo:
--- ```sh
--- cargo install --path server
--- ```
---
--- Settings (all optional), under `dockerfile-ls`:
--- ```lua
--- vim.lsp.config('dockerfile_ls', {
---   settings = {
---     ['dockerfile-ls'] = {
---       diagnostics = {
---         disabled = { 'unused-stage' },
---         severity = { ['unknown-stage'] = 'error' }, -- error|warning|information|hint|off
---       },
---       buildContexts = { 'assets' }, -- names passed with --build-context
---       target = 'release',           -- the stage you build (--target)
---     },
---   },
--- })
--- ```

---@type vim.lsp.Config
return {
  cmd = { 'dockerfile-ls' },
  filetypes = { 'dockerfile' },
  root_markers = {
    '.git',
    'docker-compose.yml',
    'docker-compose.yaml',
    'compose.yml',
    'compose.yaml',
    'docker-bake.hcl',
    'docker-bake.json',
  },
  settings = { ['dockerfile-ls'] = vim.empty_dict() },
  init_options = { ['dockerfile-ls'] = vim.empty_dict() },
  before_init = function(params, config)
    -- settings given with vim.lsp.config() also reach the server at startup
    params.initializationOptions =
      vim.tbl_deep_extend('force', config.init_options or {}, config.settings or {})
  end,
}
