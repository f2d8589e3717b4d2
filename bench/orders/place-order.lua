-- wrk script: every request places a one-line order as the signed-in customer ($TOKEN).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"items":[{"goods_id":' .. (os.getenv("GOODS_ID") or "1") .. ',"quantity":1}]}'
