-- wrk script for bench/run: every scenario's requests, chosen by the first script argument.
--
--   wrk ... URL -- MODE [name=value ...]
--
-- MODE id      GET /api/v1/goods/{random id in 1..goods}
-- MODE page    GET /api/v1/goods?page={random in 1..pages}&per_page=20
--              (with sweep=1, id and page go through every id or page in turn, each thread from
--              its own start: the warm-up, so that "warm" means every entry was read once)
-- MODE mixed   each request drawn at random: a listing page (share_page), a customer's login or
--              order (share_customer: a customer logs in, places orders_per_login one-line orders
--              of hot goods, logs in again), an admin's PATCH of a hot goods' price
--              (share_admin), else a GET by id (hot_read of them of a hot goods, 1..hot; the others
--              of any goods, or with unwritten=1 only of goods that are never written, hot+1..goods).
-- MODE scale   GET of the listing named by query= (page1, category, q, sort, deep) or of a random
--              id (query=id); with retire=1 every query of a page answered before follows an
--              admin PATCH of the description of a goods that page showed, so that no listing page
--              is answered from the cache (a page never answered before is not in it either).
--
-- With log=PREFIX each wrk thread writes PREFIX-THREAD.log, one line per answer:
--   kind id version status sent_us answered_us
-- (kind: i GET by id, p page, l login, o order, a admin PATCH, q scale query, w retiring PATCH,
-- x a request that got no answer; times from CLOCK_MONOTONIC, shared by every process). Use it
-- with one connection per thread (-tN -cN): wrk then alternates request() and response() per
-- thread, so each answer belongs to the request before it.
-- Secrets come from the environment: BENCH_ADMIN_TOKEN, BENCH_PASSWORD (the customers').
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *now);
]]
local clock = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000000 + math.floor(tonumber(clock.tv_nsec) / 1000)
end

-- main state: number the threads, keep them for done()
local threads, next_tid = {}, 0
function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
  table.insert(threads, thread)
end

-- thread state
local opt, mode = {}, nil
local sent_at, sent_kind, sent_id = nil, nil, 0
local logfile
buf = {} -- global, so that done() can fetch what was not written yet
logname = nil

local categories = { "tea", "coffee", "cups", "books", "toys", "garden", "tools", "music" }
local fragments = { "moky", "ooden", "lden c", "eramic t", "lassic", "reen to" }
local admin_headers, customer_headers = {}, {}
local token, orders_left, counter = nil, 0, 0
-- scale: the first goods each listing path showed when last answered, and the path being retired
local first_shown, sent_path, pending_path = {}, nil, nil

local next_request -- defined below, used by init
local function num(name, default) return tonumber(opt[name] or default) end

function init(args)
  mode = args[1]
  for i = 2, #args do
    local name, value = string.match(args[i], "^([%w_]+)=(.*)$")
    if name then opt[name] = value end
  end
  math.randomseed((tid or 1) * 7919 + os.time())
  if opt.log then
    logname = opt.log .. "-" .. tostring(tid) .. ".log"
    logfile = assert(io.open(logname, "w"))
  end
  local admin_token = os.getenv("BENCH_ADMIN_TOKEN") or ""
  admin_headers = { ["Authorization"] = "Bearer " .. admin_token, ["Content-Type"] = "application/merge-patch+json" }
  if not logfile and mode ~= "mixed" and mode ~= "scale" then
    -- plain load: no timing and no response() (wrk then skips handing answers to Lua), so wrk
    -- spends as little as possible per request on Shop and on the bare endpoint alike
    request = function() local _, _, text = next_request() return text end
    response = nil
  end
end

local function log(kind, id, version, status, sent, answered)
  if not logfile then return end
  buf[#buf + 1] = string.format("%s %d %d %d %d %d", kind, id, version, status, sent, answered)
  if #buf >= 2000 then
    logfile:write(table.concat(buf, "\n"), "\n")
    logfile:flush()
    buf = {}
  end
end

local function goods_path(id) return "/api/v1/goods/" .. id end

local function new_visit()
  -- a customer's visit from an address of its own (127.0.0.1 is a trusted proxy by default)
  customer_headers = {
    ["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid % 250, math.random(0, 255), math.random(1, 254)),
  }
end

local function customer_request()
  if token == nil or orders_left <= 0 then
    new_visit()
    customer_headers["Authorization"] = nil
    local body = string.format('{"username":"%s%d","password":"%s"}', opt.customer or "shopper", tid,
      os.getenv("BENCH_PASSWORD") or "")
    return "l", 0, wrk.format("POST", "/api/v1/sessions", customer_headers, body)
  end
  orders_left = orders_left - 1
  local id = math.random(1, num("hot", 100))
  customer_headers["Authorization"] = "Bearer " .. token
  return "o", id, wrk.format("POST", "/api/v1/orders", customer_headers,
    string.format('{"items":[{"goods_id":%d,"quantity":1}]}', id))
end

local function admin_request(id)
  local body = string.format('{"price":%d.%02d}', math.random(1, 999), math.random(0, 99))
  return "a", id, wrk.format("PATCH", goods_path(id), admin_headers, body)
end

local function scale_request()
  local query = opt.query
  if query == "id" then
    local id = math.random(1, num("goods", 1000))
    return "q", id, wrk.format("GET", goods_path(id))
  end
  if sent_kind == "w" then
    -- the query that the retiring PATCH was for
    sent_path = pending_path
    return "q", 0, wrk.format("GET", pending_path)
  end
  local path
  if query == "page1" then path = "/api/v1/goods"
  elseif query == "category" then path = "/api/v1/goods?category=" .. categories[math.random(#categories)]
  elseif query == "q" then
    -- half the searches are a word fragment (many matches), half a number (a handful)
    if math.random() < 0.5 then path = "/api/v1/goods?q=" .. string.gsub(fragments[math.random(#fragments)], " ", "%%20")
    else path = "/api/v1/goods?q=" .. math.random(100, 99999) end
  elseif query == "sort" then path = "/api/v1/goods?sort=-price"
  elseif query == "deep" then path = "/api/v1/goods?offset=" .. num("deep", 500000) .. "&limit=20"
  else error("scale: unknown query " .. tostring(query)) end
  local shown = first_shown[path]
  if num("retire", 0) > 0 and shown then
    -- A change of a goods that the page shows retires the page (and only the pages that show it);
    -- a description is read by no filter or sort, so the listing's total stays valid, as it does
    -- in a shop where a goods on the page was edited.
    counter = counter + 1
    pending_path = path
    return "w", shown, wrk.format("PATCH", goods_path(shown), admin_headers,
      string.format('{"description":"Retires the listing cache (%d-%d)."}', tid, counter))
  end
  -- (a page never answered before is not in the cache either)
  sent_path = path
  return "q", 0, wrk.format("GET", path)
end

local function pick(count)
  if not opt.sweep then return math.random(1, count) end
  counter = counter + 1
  -- Thread k of n starts k-1 n-ths of the way in: together they cover every one in count/n requests each.
  return (((tid or 1) - 1) * math.floor(count / num("threads", 1)) + counter) % count + 1
end

next_request = function()
  if mode == "id" then
    local id = pick(num("goods", 1000))
    return "i", id, wrk.format("GET", goods_path(id))
  elseif mode == "page" then
    local page = pick(num("pages", 50))
    return "p", page, wrk.format("GET", "/api/v1/goods?page=" .. page .. "&per_page=20")
  elseif mode == "scale" then
    return scale_request()
  elseif mode == "mixed" then
    local r = math.random()
    local share_admin, share_customer, share_page = num("share_admin", 0.02), num("share_customer", 0.08), num("share_page", 0.2)
    if r < share_admin then return admin_request(math.random(1, num("hot", 100))) end
    r = r - share_admin
    if r < share_customer then return customer_request() end
    r = r - share_customer
    if r < share_page then
      local page = math.random(1, num("pages", 50))
      return "p", page, wrk.format("GET", "/api/v1/goods?page=" .. page .. "&per_page=20")
    end
    local id
    if math.random() < num("hot_read", 0.25) then id = math.random(1, num("hot", 100))
    elseif opt.unwritten then id = math.random(num("hot", 100) + 1, num("goods", 1000))
    else id = math.random(1, num("goods", 1000)) end
    return "i", id, wrk.format("GET", goods_path(id))
  end
  error("unknown mode " .. tostring(mode))
end

local calls = 0
function request()
  calls = calls + 1
  -- wrk calls request() once in thread 1 to check the script; that one is never sent
  if sent_at and (tid ~= 1 or calls > 2) then log("x", sent_id, 0, 0, sent_at, now_us()) end
  local kind, id, text = next_request()
  sent_kind, sent_id, sent_at = kind, id, now_us()
  return text
end

function response(status, headers, body)
  local answered = now_us()
  if not sent_at then return end
  local version = 0
  local etag = headers["ETag"] or headers["etag"] or headers["Etag"]
  if etag then version = tonumber(string.match(etag, '"%d+%-(%d+)"')) or 0 end
  if sent_kind == "q" and sent_path then
    first_shown[sent_path] = status == 200 and tonumber(string.match(body, '"items"%s*:%s*%[%s*{%s*"id"%s*:%s*(%d+)')) or nil
  end
  if sent_kind == "l" then
    token = status == 201 and string.match(body, '"token"%s*:%s*"([^"]+)"') or nil
    orders_left = token and num("orders_per_login", 5) or 0
  end
  log(sent_kind, sent_id, version, status, sent_at, answered)
  sent_at = nil
end

function done(summary, latency, requests)
  -- write what each thread had not written yet
  for _, thread in ipairs(threads) do
    local name, rest = thread:get("logname"), thread:get("buf")
    if name and rest and #rest > 0 then
      local file = assert(io.open(name, "a"))
      file:write(table.concat(rest, "\n"), "\n")
      file:close()
    end
  end
end
