import { z } from 'zod'

/** Something a packet can come from or go to, as the case knows it. */
export interface TraceEndpoint {
  /** "pod:proj-a/web-1", "svc:proj-a/web:443/tcp", "node:node2", "ip:203.0.113.10". */
  id: string
  kind: 'pod' | 'service' | 'node' | 'ip'
  label: string
  ip: string
  /** The node it is on (pods), or null. */
  node: string | null
  /** A pod on the dump's node (it has a port on its br0). */
  local: boolean
  /** Services: its ports. */
  ports: { port: number; protocol: 'tcp' | 'udp' | 'sctp' }[]
}

export interface TraceStepView {
  table: number
  tableName: string | null
  /** Nesting under resubmits (0: the main walk). */
  depth: number
  /** The flow that matched: its line in the dump, as printed; null when no flow matched. */
  flowLine: number | null
  match: string | null
  priority: number | null
  /** Each action with what it means here, and its effects (-> lines). */
  actions: { text: string; meaning: string; effects: string[] }[]
  /** What the match means here (the pod, node, subnet behind it). */
  matchMeaning: string[]
}

/** A select group's bucket, traced on its own copy of the packet (the switch picks one bucket by hash). */
export interface TraceBranchView {
  group: number
  bucket: number
  actions: string[]
  /** Where this bucket sends the packet, in words. */
  result: string
  steps: TraceStepView[]
}

export interface TracePassView {
  recircId: number
  ctState: string | null
  steps: TraceStepView[]
  branches: TraceBranchView[]
  verdict: string
  kind: 'delivered' | 'tun0' | 'vxlan' | 'recirculated' | 'dropped' | 'unmodelled' | 'error'
}

export interface TraceRunView {
  captureId: number
  node: string
  /** The packet in ofproto/trace's flow syntax (what was traced). */
  flow: string
  ctNext: string[]
  verdict: string
  passes: TracePassView[]
  /** The trace in ofproto/trace's own text. */
  text: string
  /** A packet sent over VXLAN, traced on on the destination node's saved dump. */
  continued: TraceRunView | null
  unmodelled: string[]
  ties: string[]
  tookMs: number
}

export interface ReachabilityCell {
  to: string
  kind: TracePassView['kind']
  verdict: string
}

export interface ReachabilityView {
  captureId: number
  node: string
  rows: { from: TraceEndpoint; cells: ReachabilityCell[] }[]
  columns: TraceEndpoint[]
  failing: number
  tookMs: number
}

const CaptureId = z.number().int().positive()
const EndpointId = z.string().min(3).max(300)
const CtState = z.string().regex(/^[+|,a-z]{3,60}$/, 'A conntrack state is flags like trk,est,rpl.')

export const traceMethods = {
  /** What a packet through this dump can come from and go to: the case's pods, services, nodes. */
  'trace.endpoints': { input: z.object({ captureId: CaptureId }).strict() },
  /**
   * Traces a packet through a saved br0 dump: from and to endpoints (the workbench fills in in_port, addresses,
   * protocol and tunnel fields), or ofproto/trace's flow syntax given directly.
   */
  'trace.run': {
    input: z
      .object({
        captureId: CaptureId,
        from: EndpointId.optional(),
        to: EndpointId.optional(),
        protocol: z.enum(['tcp', 'udp', 'icmp', 'ip']).optional(),
        port: z.number().int().min(0).max(65535).optional(),
        flow: z.string().trim().min(1).max(2000).optional(),
        ctNext: z.array(CtState).max(16).optional(),
        /** A reply stays a reply in every pass (each recirculation resumes with trk,est,rpl). */
        connection: z.enum(['new', 'reply']).optional()
      })
      .strict()
      .refine((o) => (o.flow !== undefined) !== (o.from !== undefined && o.to !== undefined), 'Give a source and a destination, or a flow.')
  },
  /** Every local pod of the dump's node to every pod and service the case knows. */
  'trace.matrix': { input: z.object({ captureId: CaptureId }).strict() }
} as const

export interface TraceMethodOutputs {
  'trace.endpoints': { node: string; endpoints: TraceEndpoint[] }
  'trace.run': TraceRunView
  'trace.matrix': ReachabilityView
}
