/** A parsed resolv.conf (resolv.conf(5)): nameservers, search domains and options, in order. */
export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [key, ...values] = line.split(/\s+/);
    if (key === 'nameserver' && values[0]) out.nameservers.push(values[0]);
    // The last search or domain line wins, as in the resolver.
    else if (key === 'search') out.searches = values;
    else if (key === 'domain' && values[0]) out.searches = [values[0]];
    else if (key === 'options') out.options.push(...values);
  }
  return out;
}

export function formatResolvConf(conf: ResolvConf): string {
  const lines: string[] = [];
  if (conf.searches.length) lines.push(`search ${conf.searches.join(' ')}`);
  for (const ns of conf.nameservers) lines.push(`nameserver ${ns}`);
  if (conf.options.length) lines.push(`options ${conf.options.join(' ')}`);
  return lines.join('\n') + '\n';
}
