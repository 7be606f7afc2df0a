/* `ikesim report`: stepping through the ladder. Previous/next (buttons, arrow keys, j/k), a click on an
 * arrow, or #step=N in the address picks a message; its decoded payloads show in the panel beside it. */
#include "report_int.h"

const char REP_STEP_CSS[] =
	".stepper{position:sticky;top:0;background:#fff;border:1px solid #d5d8dc;padding:.4em .6em;z-index:1}"
	".stepper button{font-size:1em;margin-right:.4em}#detail{font-size:.9em;margin-top:.4em}"
	"#detail{max-height:35vh;overflow:auto}#detail table{margin:.3em 0}#detail td:first-child{white-space:nowrap;color:#566573}"
	"g.message[data-ev]{cursor:pointer}g.message.sel line{stroke-width:2.6}"
	"g.message.sel text{font-weight:bold;text-decoration:underline}";

/* Plain DOM calls and textContent only: trace text never becomes markup. */
const char REP_STEP_JS[] =
	"(function(){\n"
	"var steps=JSON.parse(document.getElementById('steps').textContent),cur=-1,arrows={};\n"
	"var detail=document.getElementById('detail'),pos=document.getElementById('pos');\n"
	"document.querySelectorAll('#ladder g.message[data-ev]').forEach(function(g){\n"
	"  arrows[g.getAttribute('data-ev')]=g;\n"
	"  g.addEventListener('click',function(){show(byEv(g.getAttribute('data-ev')));});\n"
	"});\n"
	"function byEv(ev){for(var i=0;i<steps.length;i++)if(String(steps[i].ev)===ev)return i;return -1;}\n"
	"function el(tag,text,parent){var e=document.createElement(tag);if(text!==undefined)e.textContent=text;"
	"if(parent)parent.appendChild(e);return e;}\n"
	"function row(tb,k,v){var tr=el('tr',undefined,tb);el('td',k,tr);el('td',v,tr);}\n"
	"function show(i,quiet){\n"
	"  if(i<0||i>=steps.length)return;\n"
	"  if(cur>=0&&arrows[steps[cur].ev])arrows[steps[cur].ev].classList.remove('sel');\n"
	"  cur=i;var m=steps[i],g=arrows[m.ev];\n"
	"  if(g){g.classList.add('sel');if(!quiet&&g.scrollIntoView)g.scrollIntoView({block:'nearest'});}\n"
	"  pos.textContent='message '+(i+1)+' of '+steps.length;\n"
	"  detail.textContent='';\n"
	"  el('h3',m.summary,detail).id='detail-title';\n"
	"  var t=el('table',undefined,detail);t.id='detail-fields';\n"
	"  row(t,'when',m.t+' s, '+m.kind+' by '+m.node);row(t,'from \\u2192 to',m.from+' \\u2192 '+m.to);\n"
	"  row(t,'fate',m.fate);row(t,'size',m.size+' bytes (the whole IKE message)');\n"
	"  row(t,'exchange',m.exchange+', message ID '+m.msgid+', flags '+m.flags);\n"
	"  row(t,'IKE SPIs',m['initiator-spi']+' (initiator), '+m['responder-spi']+' (responder)');\n"
	"  row(t,'protected by',m.key);\n"
	"  var p=el('table',undefined,detail);p.id='detail-payloads';\n"
	"  var h=el('tr',undefined,p);el('th','payload',h);el('th','what it carries',h);\n"
	"  m.payloads.forEach(function(x){row(p,x.p,x.what);});\n"
	"  if(!quiet)try{history.replaceState(null,'','#step='+(i+1));}catch(e){}\n"
	"}\n"
	"function fromHash(){var s=/step=(\\d+)/.exec(location.hash),n=s?parseInt(s[1],10):1;"
	"show(Math.max(1,Math.min(n,steps.length))-1,!s);}\n"
	"document.getElementById('prev').addEventListener('click',function(){show(cur-1);});\n"
	"document.getElementById('next').addEventListener('click',function(){show(cur+1);});\n"
	"document.addEventListener('keydown',function(e){\n"
	"  if(e.key==='ArrowRight'||e.key==='j'){show(cur+1);e.preventDefault();}\n"
	"  else if(e.key==='ArrowLeft'||e.key==='k'){show(cur-1);e.preventDefault();}\n"
	"});\n"
	"window.addEventListener('hashchange',fromHash);\n"
	"if(steps.length)fromHash();\n"
	"})();\n";

void rep_stepper(viz_buf *b, size_t nsteps)
{
	viz_buf_printf(b, "<div class=\"stepper\"><button id=\"prev\" type=\"button\">&#8592; previous</button>"
			  "<button id=\"next\" type=\"button\">next &#8594;</button><span id=\"pos\">%zu messages</span> "
			  "<small>(arrow keys or j/k step; click an arrow; <code>#step=N</code> in the address opens "
			  "message N)</small><div id=\"detail\"></div></div>\n",
		       nsteps);
}
