// PostGraphile 5 (amber preset, plus the connection-filter plugin for W4) over the CRM
// tables: the reference server of bench/run.py. Node's cluster module gives it the same
// number of processes as uvicorn's workers.
//
//   DATABASE_URL=postgres://role@127.0.0.1:5432/db PORT=5678 WORKERS=1 node server.mjs
//
// The database role it connects as sees one workspace only, through row-level security
// set up by bench/run.py: PostGraphile's own way to scope what a client may read.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

const port = Number(process.env.PORT ?? 5678);
const workers = Number(process.env.WORKERS ?? 1);

const preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.POOL_SIZE ?? 10) },
    }),
  ],
  // Order and filter by any column, not only indexed ones (W4 orders by amount, filters by
  // industry): the same database serves every server, so no index is added for one of them.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  grafserv: { graphiql: false, watch: false, maxRequestLength: 1_000_000 },
  grafast: { explain: false },
  schema: { connectionFilterRelations: true },
};

function serve() {
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  serv.addTo(server).then(() => server.listen(port, "127.0.0.1"));
  const stop = () => server.close(() => pgl.release().then(() => process.exit(0)));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i += 1) cluster.fork();
  const stop = () => {
    for (const worker of Object.values(cluster.workers)) worker.kill("SIGTERM");
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} else {
  serve();
}
