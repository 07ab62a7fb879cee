// npm run lab -- start [--nodes N] [--dir DIR] | stop [--dir DIR] | status [--dir DIR]
import { parseArgs } from 'node:util'
import { loadLab, startLab, stopLab } from './lab'

const { positionals, values } = parseArgs({ allowPositionals: true, options: { nodes: { type: 'string', default: '2' }, dir: { type: 'string', default: '/tmp/sdnwb-lab' } } })
const cmd = positionals[0] ?? 'status'
if (cmd === 'start') {
  const t0 = Date.now()
  const lab = await startLab({ dir: values.dir, nodes: Number(values.nodes), persistent: true })
  console.log(`lab up in ${((Date.now() - t0) / 1000).toFixed(1)} s: jump 127.0.0.1:${lab.jump.port}; ${lab.nodes.map((n) => `${n.name} ${n.ip}`).join(', ')}; state ${lab.dir}/lab.json`)
} else if (cmd === 'stop') {
  const lab = loadLab(values.dir)
  if (lab) stopLab(lab)
  console.log(lab ? 'lab stopped' : 'no lab there')
} else {
  const lab = loadLab(values.dir)
  console.log(lab ? JSON.stringify({ jump: lab.jump.port, nodes: lab.nodes.map((n) => n.name) }) : 'no lab')
}
