import t from 'tap'
import { V8ReportFilter } from './v8-report-filter.js'

t.test("passes the snippet's stderr and drops V8's report from its first line on", async (t) => {
  const filter = new V8ReportFilter()
  t.equal(filter.push('warning: slow\n'), 'warning: slow\n')
  t.equal(filter.push('last words\n\n<--- Last few GCs --->\n\n[12:0x1]  80 ms: Mark-Compact'), 'last words\n\n')
  t.equal(filter.push('FATAL ERROR: heap out of memory\n 1: 0xb8f7a1 node::OOMErrorHandler'), '')
})
