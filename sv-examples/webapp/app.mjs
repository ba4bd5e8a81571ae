// webapp: the smallest Node.js web server, no dependencies. Its port comes from $PORT, which
// ./run sets from the file env/PORT (chpst -e ./env).
import { createServer } from 'node:http'

const port = Number(process.env.PORT ?? 8080)
const server = createServer((req, res) => {
  res.end(`hello from webapp (pid ${process.pid})\n`)
})
server.listen(port, '127.0.0.1', () => {
  // Goes to stdout, which runsv pipes to log/run: it ends up in log/main/current.
  console.log(`webapp: listening on http://127.0.0.1:${port}/ as uid ${process.getuid?.()}`)
})
// sv down / sv restart send TERM: stop accepting, let open requests finish, exit 0.
process.on('SIGTERM', () => {
  console.log('webapp: TERM received, closing')
  server.close(() => process.exit(0))
  server.closeIdleConnections?.()
})
