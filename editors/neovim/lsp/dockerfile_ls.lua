-- dockerfile-ls for Neovim 0.11+ (the built-in vim.lsp.config / vim.lsp.enable).
--
-- Put editors/neovim on 'runtimepath' (or copy this file to
-- ~/.config/nvim/lsp/dockerfile_ls.lua), then:
--
--   vim.lsp.enable('dockerfile_ls')
--
-- Override any field with vim.lsp.config(), e.g. a binary that is not on $PATH
-- or settings:
--
--   vim.lsp.config('dockerfile_ls', {
--     cmd = { '/path/to/dockerfile-ls' },
--     settings = {
--       ['dockerfile-ls'] = {
--         diagnostics = {
--           disabled = { 'unused-stage' },               -- codes to switch off
--           severity = { ['unknown-stage'] = 'error' },  -- error|warning|information|hint|off
--         },
--         buildContexts = { 'assets' },                   -- names given with --build-context
--         target = 'release',                             -- the stage you build (--target)
--       },
--     },
--   })
--
-- Neovim detects Dockerfile, Containerfile, Dockerfile.*, Containerfile.*,
-- *.Dockerfile and *.dockerfile as filetype `dockerfile` by itself.

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
  -- answered to the server's workspace/configuration requests (section `dockerfile-ls`)
  -- and sent with workspace/didChangeConfiguration; an empty dict encodes as `{}`
  settings = { ['dockerfile-ls'] = vim.empty_dict() },
  -- the same settings at startup, so that the first diagnostics already follow them
  init_options = { ['dockerfile-ls'] = vim.empty_dict() },
  -- settings overridden with vim.lsp.config() do not change init_options by
  -- themselves: send the merged settings as initializationOptions
  before_init = function(params, config)
    params.initializationOptions =
      vim.tbl_deep_extend('force', config.init_options or {}, config.settings or {})
  end,
}
