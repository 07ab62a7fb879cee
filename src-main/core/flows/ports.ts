// Port names in flows (a dump taken with --names, an add-flows file written by hand) mapped to the numbers
// of a port list (`ovs-ofctl show` / `dump-ports-desc`), so that flows of both kinds compare as the switch
// sees them.
import { plainFlow, type Flow } from './flow'
import { parseMatch } from './match'

/** Flows with in_port=NAME and output:NAME / output(port=NAME) given the port's number; others unchanged. */
export function withPortNumbers(flows: readonly Flow[], numbers: ReadonlyMap<string, number | 'LOCAL'>): Flow[] {
  if (numbers.size === 0) return [...flows]
  const num = (name: string) => {
    const n = numbers.get(name.replace(/^"|"$/g, ''))
    return n === undefined ? null : String(n)
  }
  return flows.map((f) => {
    let matchCanon = f.matchCanon
    if (/(^|,)in_port=[^,\d]/.test(matchCanon)) {
      const items = matchCanon.split(',').map((it) => {
        const m = /^in_port=(.+)$/.exec(it)
        const n = m ? num(m[1] as string) : null
        return n === null ? it : `in_port=${n}`
      })
      matchCanon = parseMatch(items).canon
    }
    const actionsText = f.actionsText.replace(/(output:|output\(port=)("[^"]+"|[A-Za-z_][\w.-]*)/g, (whole, pre: string, name: string) => {
      if (/^[NO]XM_|^(LOCAL|IN_PORT|CONTROLLER|NORMAL|FLOOD|ALL|TABLE|NONE|ANY)$/i.test(name)) return whole
      const n = num(name)
      return n === null ? whole : `${pre}${n}`
    })
    if (matchCanon === f.matchCanon && actionsText === f.actionsText) return f
    return { ...plainFlow(f), matchCanon, actionsText }
  })
}

/** Whether any flow names a port (in_port=NAME, output:NAME): a --names dump, or a file written by hand. */
export function namesPorts(flows: readonly Flow[]): boolean {
  return flows.some((f) => /(^|,)in_port=[^,\d]/.test(f.matchCanon) || /output(:|\(port=)(?![NO]XM_|LOCAL|IN_PORT|CONTROLLER|NORMAL|FLOOD|ALL)[A-Za-z"]/.test(f.actionsText))
}
