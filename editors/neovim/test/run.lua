-- Headless Neovim test of editors/neovim, run by editors/neovim/test.sh:
--   nvim --headless --clean -c 'luafile editors/neovim/test/run.lua'
-- Environment: DOCKERFILE_LS_BIN (server), DLS_REPO (repo root), DLS_WORK (an
-- empty scratch workspace, the current directory), DLS_PARSER (our grammar
-- compiled to a .so) and DLS_TSRTP (a runtime dir holding parser/dockerfile.so
-- and queries/dockerfile/*.scm, as the README's manual install).
--
-- Each check prints `ok` or `FAIL` with what it saw; the run ends with a
-- summary and exits non-zero when a check failed.

local t0 = vim.uv.hrtime()
local env = vim.env
local repo, work = assert(env.DLS_REPO, 'DLS_REPO'), assert(env.DLS_WORK, 'DLS_WORK')
local bin = assert(env.DOCKERFILE_LS_BIN, 'DOCKERFILE_LS_BIN')
local NAME = 'dockerfile_ls'
local TIMEOUT = 10000

local function out(s) io.stdout:write(s .. '\n') end

-- ---------------------------------------------------------------------------
-- harness

local results = { passed = 0, failed = 0, skipped = 0, failures = {} }

local function check(name, fn)
  local ok, err = pcall(fn)
  if ok then
    results.passed = results.passed + 1
    out('ok    ' .. name)
  elseif type(err) == 'table' and err.skip then
    results.skipped = results.skipped + 1
    out('skip  ' .. name .. ': ' .. err.skip)
  else
    results.failed = results.failed + 1
    local first = tostring(err):match('^[^\n]*')
    table.insert(results.failures, name .. ': ' .. first)
    out('FAIL  ' .. name .. ': ' .. tostring(err))
  end
end

local function skip(why) error({ skip = why }, 0) end
local function info(s) out('      ' .. s) end

local function fail(fmt, ...) error(string.format(fmt, ...), 2) end

local function expect_eq(what, got, want)
  if not vim.deep_equal(got, want) then
    fail('%s: expected %s, got %s', what, vim.inspect(want), vim.inspect(got))
  end
end

local function wait_for(what, cond, ms)
  local value
  local ok = vim.wait(ms or TIMEOUT, function()
    value = cond()
    return value ~= nil and value ~= false
  end, 20)
  if not ok then fail('timed out after %d ms waiting for %s', ms or TIMEOUT, what) end
  return value
end

local function write(path, text)
  local f = assert(io.open(path, 'w'))
  f:write(text)
  f:close()
end

local function read(path)
  local f = assert(io.open(path, 'r'))
  local s = f:read('*a')
  f:close()
  return s
end

local function buf_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
end

-- 0-based row and byte column of the `n`-th match of a plain `needle` in `text`
-- (plus `offset` bytes)
local function pos_of(text, needle, n, offset)
  local from, count = 1, 0
  while true do
    local s = text:find(needle, from, true)
    if not s then fail('sample has no %d. %q', n or 1, needle) end
    count = count + 1
    if count == (n or 1) then
      local before = text:sub(1, s - 1)
      local row = select(2, before:gsub('\n', ''))
      local col = #before - (before:match('.*\n()') or 1) + 1
      return row, col + (offset or 0)
    end
    from = s + 1
  end
end

-- ---------------------------------------------------------------------------
-- the workspace

local DOCKERFILE = [[
# syntax=docker/dockerfile:1
# build the app
FROM golang:1.22-alpine AS builder
WORKDIR /src
RUN --mount=type=cache,target=/go/pkg/mod \
    go build -o /out/app .

FROM alpine:3.20 AS runtime
COPY --from=builder /out/app /usr/local/bin/app
COPY --chown=énergie:énergie --from=builder /out/app /app
COPY --from=buidler /out/app /app2
RUN --mount=type=bind,from=builder,source=/out,target=/mnt ls /mnt
CMD ["app"]
]]
local CONTAINERFILE = 'FROM alpine:3.20 AS base\nRUN echo hi\n'
local DOCKERFILE_DEV = 'FROM node:22 AS dev\nCMD ["node"]\n'

write(work .. '/compose.yaml', 'services: {}\n') -- a root marker
write(work .. '/Dockerfile', DOCKERFILE)
write(work .. '/Containerfile', CONTAINERFILE)
write(work .. '/Dockerfile.dev', DOCKERFILE_DEV)

-- ---------------------------------------------------------------------------
-- the config, as a user sets it up

local exit_code, exit_signal
if env.DLS_LSP_LOG then
  (vim.lsp.log.set_level or vim.lsp.set_log_level)(env.DLS_LSP_LOG) -- e.g. debug: the JSON-RPC traffic in lsp.log
end
vim.opt.runtimepath:prepend(repo .. '/editors/neovim')
vim.lsp.config(NAME, {
  cmd = { bin },
  -- a setting, to see that settings reach the server
  settings = { ['dockerfile-ls'] = { diagnostics = { severity = { ['unknown-stage'] = 'error' } } } },
  on_exit = function(code, signal)
    exit_code, exit_signal = code, signal
  end,
})
vim.lsp.enable(NAME)

out('-- config')

check('lsp/dockerfile_ls.lua is found on runtimepath and merged', function()
  local files = vim.api.nvim_get_runtime_file('lsp/' .. NAME .. '.lua', true)
  expect_eq('lsp/' .. NAME .. '.lua on runtimepath', files, { repo .. '/editors/neovim/lsp/' .. NAME .. '.lua' })
  local config = vim.lsp.config[NAME]
  expect_eq('cmd', config.cmd, { bin })
  expect_eq('filetypes', config.filetypes, { 'dockerfile' })
  if not vim.tbl_contains(config.root_markers, '.git') then fail('root_markers lack .git') end
  expect_eq('settings (user override merged)', config.settings['dockerfile-ls'].diagnostics.severity,
    { ['unknown-stage'] = 'error' })
  if type(config.init_options) ~= 'table' or config.init_options['dockerfile-ls'] == nil then
    fail('init_options lack the dockerfile-ls section: %s', vim.inspect(config.init_options))
  end
end)

check('lspconfig/dockerfile_ls.lua has the same config', function()
  local function data(t)
    local d = {}
    for k, v in pairs(t) do
      if type(v) ~= 'function' then d[k] = v end
    end
    return d
  end
  local ours = dofile(repo .. '/editors/neovim/lsp/' .. NAME .. '.lua')
  local upstream = dofile(repo .. '/editors/neovim/lspconfig/' .. NAME .. '.lua')
  expect_eq('lspconfig vs lsp', data(upstream), data(ours))
  expect_eq('cmd', ours.cmd, { 'dockerfile-ls' })
  expect_eq('settings sent as JSON', vim.json.encode(ours.settings), '{"dockerfile-ls":{}}')
  expect_eq('init_options sent as JSON', vim.json.encode(ours.init_options), '{"dockerfile-ls":{}}')
end)

check('filetype detection maps the Dockerfile names to dockerfile', function()
  local names = { 'Dockerfile', 'Containerfile', 'Dockerfile.dev', 'Containerfile.prod',
    'app.Dockerfile', 'app.dockerfile' }
  local wrong = {}
  for _, n in ipairs(names) do
    local ft = vim.filetype.match({ filename = work .. '/sub/' .. n })
    if ft ~= 'dockerfile' then table.insert(wrong, n .. ' -> ' .. tostring(ft)) end
  end
  if #wrong > 0 then fail('not detected: %s', table.concat(wrong, ', ')) end
end)

-- ---------------------------------------------------------------------------
-- the server, through Neovim's client

out('-- lsp')

local client, buf

local function open(name)
  vim.cmd.edit(vim.fn.fnameescape(work .. '/' .. name))
  local b = vim.api.nvim_get_current_buf()
  local c = wait_for('dockerfile_ls to attach to ' .. name .. ' (filetype ' .. vim.bo[b].filetype .. ')', function()
    local c = vim.lsp.get_clients({ bufnr = b, name = NAME })[1]
    return c and c.initialized and c
  end)
  return b, c
end

-- a request on the current buffer at (row, byte col); returns the result
local function request(method, row, col, extra)
  vim.api.nvim_win_set_cursor(0, { row + 1, col })
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  for k, v in pairs(extra or {}) do params[k] = v end
  local res, err = vim.lsp.buf_request_sync(0, method, params, TIMEOUT)
  if not res then fail('%s: no answer (%s)', method, tostring(err)) end
  local r = res[client.id]
  if not r then fail('%s: no answer from %s', method, NAME) end
  if r.err or r.error then fail('%s: error %s', method, vim.inspect(r.err or r.error)) end
  return r.result
end

-- an LSP range as 0-based rows and byte columns of `b`
local function byte_range(b, range)
  local function pos(p)
    local line = vim.api.nvim_buf_get_lines(b, p.line, p.line + 1, false)[1] or ''
    local col = p.character
    if client.offset_encoding ~= 'utf-8' then
      col = vim.str_byteindex(line, client.offset_encoding, p.character, false)
    end
    return { p.line, col }
  end
  return { pos(range.start), pos(range['end']) }
end

local function name_range(row, col, len) return { { row, col }, { row, col + len } } end

-- later LSP checks fail at once, not by timing out, when the client never attached
local function need_client()
  if not client then fail('no client attached (see the attach check)') end
end

check('attaches to Dockerfile; root from root_markers; UTF-8 positions', function()
  buf, client = open('Dockerfile')
  expect_eq('filetype', vim.bo[buf].filetype, 'dockerfile')
  expect_eq('root_dir', client.root_dir, work)
  local info_ = client.server_info or {}
  info('server ' .. tostring(info_.name) .. ' ' .. tostring(info_.version) .. ', position encoding '
    .. client.offset_encoding)
  expect_eq('negotiated position encoding', client.offset_encoding, 'utf-8')
  local caps = {}
  for k, v in pairs(client.server_capabilities) do
    if type(k) == 'string' and k:match('Provider$') and v then table.insert(caps, k) end
  end
  table.sort(caps)
  info('advertised: ' .. table.concat(caps, ' '))
end)

local function unknown_stage_diag()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == 'unknown-stage' then return d end
  end
end

local typo_row, typo_col = pos_of(DOCKERFILE, '--from=buidler', 1, #'--from=')

check('unknown-stage diagnostic on COPY --from=buidler, with its position', function()
  need_client()
  local d = wait_for('an unknown-stage diagnostic', unknown_stage_diag)
  for _, x in ipairs(vim.diagnostic.get(buf)) do
    info(string.format('diagnostic %d:%d-%d:%d %s [%s] %s', x.lnum + 1, x.col + 1, x.end_lnum + 1,
      x.end_col + 1, vim.diagnostic.severity[x.severity], tostring(x.code), x.message))
  end
  expect_eq('range', { { d.lnum, d.col }, { d.end_lnum, d.end_col } }, name_range(typo_row, typo_col, #'buidler'))
  if not d.message:find("'buidler'", 1, true) or not d.message:find("did you mean 'builder'", 1, true) then
    fail('message: %q', d.message)
  end
  expect_eq('source', d.source, 'dockerfile-ls')
  local n = #vim.tbl_filter(function(x) return x.code == 'unknown-stage' end, vim.diagnostic.get(buf))
  expect_eq('number of unknown-stage diagnostics', n, 1)
end)

check('settings reach the server (unknown-stage severity = error)', function()
  need_client()
  wait_for('the unknown-stage diagnostic as an error', function()
    local d = unknown_stage_diag()
    return d and d.severity == vim.diagnostic.severity.ERROR
  end)
end)

local def_row, def_col = pos_of(DOCKERFILE, 'AS builder', 1, #'AS ')
local ref_row, ref_col = pos_of(DOCKERFILE, '--from=builder', 1, #'--from=')
local utf8_row, utf8_col = pos_of(DOCKERFILE, '--from=builder', 2, #'--from=')
local mount_row, mount_col = pos_of(DOCKERFILE, 'from=builder,', 1, #'from=')

check('definition from COPY --from=builder lands on the AS builder name', function()
  need_client()
  local result = request('textDocument/definition', ref_row, ref_col + 2)
  if result and result.uri == nil and result.targetUri == nil then result = result[1] end
  if not result then fail('no definition') end
  expect_eq('uri', result.uri or result.targetUri, vim.uri_from_bufnr(buf))
  local range = result.targetSelectionRange or result.range
  expect_eq('range', byte_range(buf, range), name_range(def_row, def_col, #'builder'))
end)

check('vim.lsp.buf.definition() jumps there (also after a multi-byte chown)', function()
  need_client()
  for _, at in ipairs({ { ref_row, ref_col }, { utf8_row, utf8_col + 3 }, { mount_row, mount_col + 6 } }) do
    vim.api.nvim_win_set_cursor(0, { at[1] + 1, at[2] })
    vim.lsp.buf.definition()
    wait_for('the cursor at AS builder from ' .. (at[1] + 1) .. ':' .. (at[2] + 1), function()
      local c = vim.api.nvim_win_get_cursor(0)
      return c[1] == def_row + 1 and c[2] == def_col
    end)
  end
end)

local expected_refs = {
  name_range(def_row, def_col, 7),
  name_range(ref_row, ref_col, 7),
  name_range(utf8_row, utf8_col, 7),
  name_range(mount_row, mount_col, 7),
}

local function sorted_ranges(list, field)
  local got = {}
  for _, l in ipairs(list or {}) do
    table.insert(got, byte_range(buf, l[field] or l.range))
  end
  table.sort(got, function(a, b) return a[1][1] < b[1][1] or (a[1][1] == b[1][1] and a[1][2] < b[1][2]) end)
  return got
end

check('references and document highlights of the stage', function()
  need_client()
  local refs = request('textDocument/references', def_row, def_col, { context = { includeDeclaration = true } })
  expect_eq('references', sorted_ranges(refs), expected_refs)
  local hl = request('textDocument/documentHighlight', ref_row, ref_col)
  expect_eq('highlights', sorted_ranges(hl), expected_refs)
end)

local function symbol_names(result)
  local names = {}
  for _, s in ipairs(result or {}) do table.insert(names, s.name) end
  return names
end

check('documentSymbol lists the stages', function()
  need_client()
  local result = request('textDocument/documentSymbol', 0, 0)
  info('symbols: ' .. table.concat(symbol_names(result), ', '))
  expect_eq('top-level symbols', symbol_names(result), { 'builder', 'runtime' })
  -- Neovim can turn them into its location list items
  local items = vim.lsp.util.symbols_to_items(result, buf, client.offset_encoding)
  if #items < 2 then fail('symbols_to_items gave %d items', #items) end
end)

check('foldingRange covers the stages and the continued RUN', function()
  need_client()
  local result = request('textDocument/foldingRange', 0, 0)
  local got = {}
  for _, r in ipairs(result or {}) do got[r.startLine .. '-' .. r.endLine] = true end
  local run_row = pos_of(DOCKERFILE, 'RUN --mount=type=cache')
  for _, want in ipairs({ run_row .. '-' .. (run_row + 1) }) do
    if not got[want] then fail('no fold %s in %s', want, vim.inspect(vim.tbl_keys(got))) end
  end
  local stage_fold = false
  for _, r in ipairs(result) do
    if r.startLine == def_row and r.endLine >= run_row + 1 then stage_fold = true end
  end
  if not stage_fold then fail('no fold for the builder stage in %s', vim.inspect(result)) end
end)

check('hover (checked when advertised)', function()
  need_client()
  if not client.server_capabilities.hoverProvider then
    skip('hoverProvider not advertised')
  end
  local r = request('textDocument/hover', def_row, 1)
  local contents = r and r.contents
  local text = type(contents) == 'string' and contents
    or (type(contents) == 'table' and (contents.value or vim.inspect(contents))) or ''
  if text == '' then fail('empty hover on FROM: %s', vim.inspect(r)) end
  info('hover: ' .. text:sub(1, 80):gsub('\n', ' '))
end)

check('code actions (checked when advertised)', function()
  need_client()
  if not client.server_capabilities.codeActionProvider then
    skip('codeActionProvider not advertised')
  end
  local d = wait_for('the unknown-stage diagnostic', unknown_stage_diag)
  local lsp_diag = d.user_data and d.user_data.lsp
  local r = request('textDocument/codeAction', typo_row, typo_col, {
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag }, triggerKind = 1 },
  })
  if r ~= nil and type(r) ~= 'table' then fail('codeAction answered %s', vim.inspect(r)) end
  for _, a in ipairs(r or {}) do
    if type(a.title) ~= 'string' or a.title == '' then fail('action without a title: %s', vim.inspect(a)) end
    info('code action: ' .. a.title)
  end
end)

check('completion offers the earlier stage after --from=', function()
  need_client()
  if not client.server_capabilities.completionProvider then
    skip('completionProvider not advertised')
  end
  -- the cursor right after `--from=` on the COPY line
  local r = request('textDocument/completion', ref_row, ref_col)
  local items = (r and (r.items or r)) or {}
  local labels = {}
  for _, item in ipairs(items) do labels[item.label] = true end
  if not labels['builder'] then fail('no builder among %s', vim.inspect(vim.tbl_keys(labels))) end
  info(string.format('completion: %d items, builder among them', #items))
end)

check('vim.lsp.buf.rename() renames the stage everywhere; references and diagnostics follow the edit', function()
  need_client()
  local before = buf_text(buf)
  vim.api.nvim_win_set_cursor(0, { def_row + 1, def_col + 1 })
  vim.lsp.buf.rename('compiler')
  local want = DOCKERFILE:gsub('builder', 'compiler')
  wait_for('the renamed buffer', function() return buf_text(buf) ~= before end)
  expect_eq('buffer after rename', buf_text(buf), want)
  -- the server saw the edit (didChange): references of the new name
  local refs = request('textDocument/references', ref_row, ref_col + 1, { context = { includeDeclaration = true } })
  local expected = {}
  for _, r in ipairs(expected_refs) do
    table.insert(expected, { r[1], { r[2][1], r[2][2] + 1 } })
  end
  expect_eq('references after rename', sorted_ranges(refs), expected)
  -- diagnostics are pulled again for the new text: `buidler` is still flagged,
  -- but no longer as a typo of 'builder'
  local d = wait_for("a diagnostic on 'buidler' that no longer suggests 'builder'", function()
    local at, stale = nil, false
    for _, x in ipairs(vim.diagnostic.get(buf)) do
      if x.lnum == typo_row and x.col == typo_col then at = x end
      if x.message:find("'builder'", 1, true) then stale = true end
    end
    return not stale and at
  end)
  info(string.format('after the rename: [%s] %s', tostring(d.code), d.message))
end)

check('attaches to Containerfile and Dockerfile.dev, one client for the workspace', function()
  need_client()
  for name, stage in pairs({ Containerfile = 'base', ['Dockerfile.dev'] = 'dev' }) do
    local b, c = open(name)
    expect_eq(name .. ' filetype', vim.bo[b].filetype, 'dockerfile')
    expect_eq(name .. ' client', c.id, client.id)
    local r = request('textDocument/documentSymbol', 0, 0)
    expect_eq(name .. ' symbols', symbol_names(r), { stage })
  end
  expect_eq('clients', #vim.lsp.get_clients({ name = NAME }), 1)
  vim.cmd.buffer(buf)
end)

-- ---------------------------------------------------------------------------
-- tree-sitter: our grammar and queries

out('-- tree-sitter')

local TS_SAMPLE = [[
# syntax=docker/dockerfile:1
# a comment
ARG VERSION=1.22
FROM golang:${VERSION} AS build
RUN --mount=type=cache,target=/root/.cache go mod download && \
    go build -o /out/app .
FROM scratch AS final
COPY --from=build /out/app /app
EXPOSE 8080
CMD ["/app"]
FROOB x
]]

local queries = {}
local ts_root

-- The README's manual install: a directory first on runtimepath (like
-- ~/.config/nvim) holding parser/dockerfile.so and queries/dockerfile/*.scm;
-- the first parser and the first query file of a kind (without `;; extends`)
-- win. Set before any parse: Neovim memoizes query lookups, and a
-- LanguageTree looks up its injections query when it is created.
vim.opt.runtimepath:prepend(env.DLS_TSRTP)

check('the grammar loads with vim.treesitter.language.add and parses the sample', function()
  local ok, added, err = pcall(vim.treesitter.language.add, 'dockerfile', { path = env.DLS_PARSER })
  if not ok or not added then fail('language.add: %s', tostring(ok and err or added)) end
  local lang = vim.treesitter.language.inspect('dockerfile')
  info(string.format('ABI %s, %d symbols', tostring(lang.abi_version or lang._abi_version),
    vim.tbl_count(lang.symbols or {})))
  local parser = vim.treesitter.get_string_parser(TS_SAMPLE, 'dockerfile')
  ts_root = parser:parse()[1]:root()
  if ts_root:has_error() then fail('ERROR/MISSING node in %s', ts_root:sexpr()) end
end)

check('every file in queries/ parses with vim.treesitter.query.parse', function()
  local names = {}
  for name, kind in vim.fs.dir(repo .. '/queries') do
    if kind == 'file' and name:match('%.scm$') then table.insert(names, name) end
  end
  table.sort(names)
  if #names == 0 then fail('no queries in %s/queries', repo) end
  local bad = {}
  for _, name in ipairs(names) do
    local ok, q = pcall(vim.treesitter.query.parse, 'dockerfile', read(repo .. '/queries/' .. name))
    if ok then
      queries[name:gsub('%.scm$', '')] = q
      info(string.format('%s: %d captures', name, #q.captures))
    else
      table.insert(bad, name .. ': ' .. tostring(q))
    end
  end
  if #bad > 0 then fail('%s', table.concat(bad, '\n')) end
end)

-- the capture Neovim's highlighter shows at (row, col): of the captures whose
-- node covers the position, the last one iter_captures yields (inner nodes
-- come after outer ones, later patterns after earlier ones)
local function highlight_at(row, col)
  local q = queries.highlights or fail('highlights.scm did not load')
  local shown, all = nil, {}
  for id, node in q:iter_captures(ts_root, TS_SAMPLE, row, row + 1) do
    local name = q.captures[id]
    local sr, sc, er, ec = node:range()
    local starts = sr < row or (sr == row and sc <= col)
    local ends = er > row or (er == row and ec > col)
    if starts and ends and not name:match('^_') then
      shown = name
      table.insert(all, name)
    end
  end
  return shown, all
end

check('highlights.scm captures at known positions', function()
  if not ts_root then fail('no tree') end
  local cases = {
    { '# syntax', 0, 'keyword.directive' },
    { '# a comment', 0, 'comment' },
    { 'ARG', 0, 'keyword' },
    { 'VERSION=', 0, 'variable' },
    { 'FROM golang', 0, 'keyword' },
    { 'golang', 0, 'type' },
    { '${VERSION}', 2, 'variable' },
    { 'AS build', 0, 'keyword' },
    { 'AS build', 3, 'label' },
    { '--mount', 3, 'property' },
    { 'scratch', 0, 'constant.builtin' },
    { 'AS final', 3, 'label' },
    { '--from=build', 7, 'label' },
    { '/out/app /app', 9, 'string.special.path' },
    { '8080', 0, 'number' },
    { '"/app"', 0, 'string' },
    { 'FROOB', 0, 'error' },
  }
  local wrong = {}
  for _, c in ipairs(cases) do
    local row, col = pos_of(TS_SAMPLE, c[1], 1, c[2])
    local shown, all = highlight_at(row, col)
    if shown ~= c[3] then
      table.insert(wrong, string.format('%d:%d (%q+%d): want @%s, got @%s (all: %s)', row + 1, col + 1, c[1], c[2],
        c[3], tostring(shown), table.concat(all, ' ')))
    end
  end
  if #wrong > 0 then fail('%d of %d positions wrong:\n  %s', #wrong, #cases, table.concat(wrong, '\n  ')) end
  info(#cases .. ' positions')
end)

check('injections.scm: RUN shell text is bash, comments are comment', function()
  local q = queries.injections or fail('injections.scm did not load')
  local run_row = pos_of(TS_SAMPLE, 'RUN --mount')
  local langs = {}
  for _, match, metadata in q:iter_matches(ts_root, TS_SAMPLE, 0, -1) do
    for id, nodes in pairs(match) do
      if q.captures[id] == 'injection.content' then
        for _, node in ipairs(type(nodes) == 'table' and nodes or { nodes }) do
          local sr, _, er = node:range()
          langs[#langs + 1] = { sr, er, metadata['injection.language'], node:type() }
        end
      end
    end
  end
  local run_ok, comment_ok = false, false
  for _, l in ipairs(langs) do
    if l[1] == run_row and l[2] == run_row + 1 and l[3] == 'bash' then run_ok = true end
    if l[1] == 1 and l[3] == 'comment' then comment_ok = true end
  end
  if not run_ok or not comment_ok then fail('injections: %s', vim.inspect(langs)) end
end)

check('folds.scm folds the continued RUN', function()
  local q = queries.folds or fail('folds.scm did not load')
  local run_row = pos_of(TS_SAMPLE, 'RUN --mount')
  for id, node in q:iter_captures(ts_root, TS_SAMPLE, 0, -1) do
    local sr, _, er = node:range()
    if q.captures[id] == 'fold' and sr == run_row and er == run_row + 1 then return end
  end
  fail('no @fold over lines %d-%d', run_row + 1, run_row + 2)
end)

check('manual install (parser/ + queries/dockerfile/ on runtimepath) highlights a buffer', function()
  expect_eq('parser found on runtimepath', vim.api.nvim_get_runtime_file('parser/dockerfile.so', false),
    { env.DLS_TSRTP .. '/parser/dockerfile.so' })
  for _, kind in ipairs({ 'highlights', 'injections', 'folds' }) do
    expect_eq(kind .. ' query files Neovim uses', vim.treesitter.query.get_files('dockerfile', kind),
      { env.DLS_TSRTP .. '/queries/dockerfile/' .. kind .. '.scm' })
    if not vim.treesitter.query.get('dockerfile', kind) then fail('query.get(dockerfile, %s) is nil', kind) end
  end
  local b = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(b, 0, -1, false, vim.split(TS_SAMPLE, '\n', { plain = true }))
  vim.treesitter.start(b, 'dockerfile')
  vim.treesitter.get_parser(b):parse(true)
  local function captures(needle, offset)
    local row, col = pos_of(TS_SAMPLE, needle, 1, offset)
    local caps = {}
    for _, c in ipairs(vim.treesitter.get_captures_at_pos(b, row, col)) do table.insert(caps, c.capture) end
    return caps
  end
  expect_eq('captures on FROM', captures('FROM golang', 0), { 'keyword' })
  expect_eq('captures on the stage name', captures('AS build', 3), { 'label' })
  expect_eq('captures on a comment', captures('# a comment', 2), { 'comment' })
end)

-- ---------------------------------------------------------------------------
-- shutdown

out('-- shutdown')

check('the server exits cleanly on shutdown, nothing logged at WARN/ERROR', function()
  need_client()
  if not client then fail('no client') end
  client:stop()
  wait_for('the server to exit', function() return exit_code ~= nil end)
  expect_eq('exit code, signal', { exit_code, exit_signal }, { 0, 0 })
  local log = vim.lsp.log.get_filename and vim.lsp.log.get_filename() or vim.lsp.get_log_path()
  local problems = {}
  if vim.uv.fs_stat(log) then
    for line in read(log):gmatch('[^\n]+') do
      if line:match('^%[ERROR%]') or line:match('^%[WARN%]') then
        table.insert(problems, line)
      end
    end
  end
  if #problems > 0 then fail('%s:\n  %s', log, table.concat(problems, '\n  ')) end
end)

-- ---------------------------------------------------------------------------

local secs = (vim.uv.hrtime() - t0) / 1e9
out(string.format('-- %d passed, %d failed, %d skipped in %.1f s', results.passed, results.failed,
  results.skipped, secs))
if results.failed > 0 then
  for _, f in ipairs(results.failures) do out('FAILED: ' .. f) end
  io.stdout:flush()
  vim.cmd('cquit 1')
else
  vim.cmd('qall!')
end
