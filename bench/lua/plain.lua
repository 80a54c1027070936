-- A GET of the path wrk was given, with the token when one is passed.
function init(args)
  if args[1] then wrk.headers["apikey"] = args[1] end
end
