let known: boolean | null = null

/** Whether WebGL here is drawn by a GPU, not by a software rasterizer (SwiftShader, llvmpipe). Asked once. */
export function gpuWebgl(): boolean {
  if (known !== null) return known
  try {
    const gl = document.createElement('canvas').getContext('webgl2')
    if (!gl) return (known = false)
    const info = gl.getExtension('WEBGL_debug_renderer_info')
    const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : String(gl.getParameter(gl.RENDERER))
    gl.getExtension('WEBGL_lose_context')?.loseContext()
    known = !/swiftshader|llvmpipe|softpipe|software|microsoft basic render/i.test(renderer)
  } catch {
    known = false
  }
  return known
}
