-- A GET of the path wrk was given (the bare route, the trivial server), with the token when passed.
function init(args)
  common_init(args)
end
