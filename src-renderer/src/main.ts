import { mount } from 'svelte'
import App from './App.svelte'
import { frameGovernor } from './lib/frame-governor'
import './styles.css'

// Before anything asks for a frame: terminals under a flood limit the page's frame rate through it.
frameGovernor()

const target = document.getElementById('app')
if (!target) throw new Error('index.html has no #app element')
export default mount(App, { target })
