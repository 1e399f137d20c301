/// `vigil.css`: the dashboard's only stylesheet, served by Vigil itself.
enum DashboardStyle {
    static let css = #"""
        :root {
          --bg: #f6f7f9; --surface: #ffffff; --text: #1b1f24; --muted: #5a6270; --line: #dde1e7;
          --link: #0b57d0; --focus: #0b57d0;
          --up-bg: #dcf3e2; --up-fg: #14532d; --late-bg: #fdefc8; --late-fg: #7a3e00;
          --down-bg: #fde0e0; --down-fg: #8a1414; --rec-bg: #dbe7fe; --rec-fg: #1e3a8a;
          --paused-bg: #e6e8ec; --paused-fg: #374151; --new-bg: #f1f2f4; --new-fg: #4b5563;
          --spark: #2f6fdb; --heat-0: #eceff3; --heat-1: #fcd9b6; --heat-2: #f8a76b; --heat-3: #e4632f; --heat-4: #a8280f;
          color-scheme: light dark;
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #111418; --surface: #1a1e24; --text: #e8eaed; --muted: #a3abb7; --line: #2e343d;
            --link: #8ab4f8; --focus: #8ab4f8;
            --up-bg: #123d22; --up-fg: #b9f0c8; --late-bg: #4a3300; --late-fg: #ffe08a;
            --down-bg: #4d1414; --down-fg: #ffc9c9; --rec-bg: #172a55; --rec-fg: #c7d7fe;
            --paused-bg: #2c3139; --paused-fg: #d1d5db; --new-bg: #262a31; --new-fg: #c3c8d0;
            --spark: #7aa7f5; --heat-0: #242932;
          }
        }
        * { box-sizing: border-box; }
        [hidden] { display: none !important; }
        html { -webkit-text-size-adjust: 100%; }
        body { margin: 0; background: var(--bg); color: var(--text);
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        a { color: var(--link); }
        a:focus-visible, button:focus-visible, input:focus-visible, summary:focus-visible, main:focus-visible {
          outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 3px; }
        code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
        pre { white-space: pre-wrap; word-break: break-word; background: var(--bg); padding: 0.5rem; border-radius: 4px;
          max-height: 20rem; overflow: auto; }
        .skip { position: absolute; left: -999px; top: 0; background: var(--surface); padding: 0.5rem 1rem; z-index: 10; }
        .skip:focus { left: 0.5rem; top: 0.5rem; }
        .visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
          white-space: nowrap; }
        .top { background: var(--surface); border-bottom: 1px solid var(--line); }
        .top nav { display: flex; align-items: center; gap: 1rem; max-width: 1200px; margin: 0 auto; padding: 0.6rem 1rem;
          flex-wrap: wrap; }
        .brand { display: inline-flex; align-items: center; gap: 0.4rem; font-weight: 700; font-size: 1.1rem;
          color: var(--text); text-decoration: none; }
        .brand-ring { fill: none; stroke: var(--spark); stroke-width: 2.5; }
        .brand-tick { fill: none; stroke: var(--spark); stroke-width: 2.5; stroke-linecap: round; stroke-linejoin: round; }
        .top ul { display: flex; gap: 0.25rem; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
        .top ul a { display: block; padding: 0.35rem 0.7rem; border-radius: 6px; text-decoration: none; color: var(--text); }
        .top ul a:hover { background: var(--bg); }
        .top ul a[aria-current="page"] { background: var(--bg); font-weight: 600; box-shadow: inset 0 -2px 0 var(--spark); }
        .live { margin-left: auto; display: inline-flex; align-items: center; gap: 0.4rem; font-size: 0.85rem; color: var(--muted); }
        .live-dot { width: 0.6rem; height: 0.6rem; border-radius: 50%; background: var(--muted); }
        .live.on .live-dot { background: #1f9d55; box-shadow: 0 0 0 3px rgba(31, 157, 85, 0.25); }
        .live.off .live-dot { background: #c62828; }
        main { max-width: 1200px; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.6rem; margin: 0.2rem 0; }
        h2 { font-size: 1.2rem; margin: 1.8rem 0 0.6rem; }
        h3 { font-size: 1rem; margin: 1rem 0 0.4rem; }
        section { margin-top: 1rem; }
        .panel { background: var(--surface); border: 1px solid var(--line); border-radius: 8px; padding: 0.2rem 1rem 1rem; }
        .panel.alert { border-left: 4px solid var(--down-fg); }
        .heading { display: flex; align-items: center; gap: 0.8rem; flex-wrap: wrap; justify-content: space-between; }
        .monitor-head { justify-content: flex-start; }
        .muted { color: var(--muted); }
        .warn { color: var(--late-fg); }
        .notice { background: var(--surface); border: 1px solid var(--line); border-radius: 8px; padding: 0.8rem 1rem; }
        .crumbs { font-size: 0.9rem; color: var(--muted); }
        .pill { display: inline-block; min-width: 4.5rem; text-align: center; padding: 0.05rem 0.55rem; border-radius: 999px;
          font-size: 0.8rem; font-weight: 600; letter-spacing: 0.01em; border: 1px solid transparent; }
        .pill::before { content: ""; display: inline-block; width: 0.5rem; height: 0.5rem; border-radius: 50%;
          background: currentColor; margin-right: 0.35rem; vertical-align: 0.05rem; }
        .pill.up { background: var(--up-bg); color: var(--up-fg); }
        .pill.late { background: var(--late-bg); color: var(--late-fg); }
        .pill.stalled, .pill.failing { background: var(--down-bg); color: var(--down-fg); }
        .pill.recovering { background: var(--rec-bg); color: var(--rec-fg); }
        .pill.paused { background: var(--paused-bg); color: var(--paused-fg); }
        .pill.new { background: var(--new-bg); color: var(--new-fg); border-color: var(--line); }
        .pill.flash { animation: flash 1.2s ease-out; }
        @keyframes flash { from { box-shadow: 0 0 0 6px rgba(11, 87, 208, 0.35); } to { box-shadow: 0 0 0 0 transparent; } }
        @media (prefers-reduced-motion: reduce) { .pill.flash { animation: none; } }
        .tags { display: inline-flex; flex-wrap: wrap; gap: 0.25rem; list-style: none; margin: 0 0 0 0.4rem; padding: 0; }
        .tag { display: inline-block; font-size: 0.75rem; padding: 0 0.45rem; border-radius: 4px; background: var(--bg);
          border: 1px solid var(--line); color: var(--muted); text-decoration: none; font-weight: 500; }
        .tag.running { color: var(--rec-fg); background: var(--rec-bg); }
        .tag.progress { color: var(--up-fg); background: var(--up-bg); }
        .kind { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem; font-weight: 600; }
        .kind.up { color: var(--up-fg); } .kind.failing { color: var(--down-fg); } .kind.neutral { color: var(--muted); }
        .summary { display: flex; flex-wrap: wrap; gap: 0.5rem; list-style: none; padding: 0; margin: 0.8rem 0; }
        .summary a { display: inline-flex; align-items: center; gap: 0.35rem; padding: 0.3rem 0.6rem; border-radius: 8px;
          background: var(--surface); border: 1px solid var(--line); text-decoration: none; color: var(--text); }
        .summary a[aria-current="true"] { border-color: var(--spark); box-shadow: inset 0 0 0 1px var(--spark); }
        .filters { color: var(--muted); }
        .search { display: flex; gap: 0.4rem; }
        input, button { font: inherit; }
        input[type="search"], input.copy { padding: 0.35rem 0.6rem; border: 1px solid var(--line); border-radius: 6px;
          background: var(--surface); color: var(--text); min-width: 0; }
        input.copy { width: 100%; max-width: 48rem; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.85rem; }
        button { padding: 0.35rem 0.8rem; border-radius: 6px; border: 1px solid var(--line); background: var(--surface);
          color: var(--text); cursor: pointer; }
        .ack button { background: var(--link); color: #fff; border-color: var(--link); }
        .segmented { display: inline-flex; gap: 0.25rem; }
        .segmented a { padding: 0.25rem 0.7rem; border: 1px solid var(--line); border-radius: 6px; text-decoration: none;
          background: var(--surface); }
        .segmented a[aria-current="true"] { background: var(--link); color: #fff; border-color: var(--link); }
        .table-wrap { overflow-x: auto; background: var(--surface); border: 1px solid var(--line); border-radius: 8px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 0.55rem 0.75rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        thead th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600;
          background: var(--surface); }
        tbody tr:last-child > * { border-bottom: none; }
        tbody th { font-weight: 600; }
        tbody tr:hover { background: var(--bg); }
        tr.fresh { animation: fresh 2s ease-out; }
        @keyframes fresh { from { background: var(--rec-bg); } to { background: transparent; } }
        @media (prefers-reduced-motion: reduce) { tr.fresh { animation: none; } }
        .spark { display: block; }
        .spark-bar { fill: var(--spark); }
        .spark-empty { fill: var(--line); }
        .heatmap, .trend { width: 100%; max-width: 640px; height: auto; display: block; }
        figure { margin: 0.5rem 0; background: var(--surface); border: 1px solid var(--line); border-radius: 8px; padding: 0.8rem; }
        .axis { font-size: 10px; fill: var(--muted); }
        .heat-0 { fill: var(--heat-0); } .heat-1 { fill: var(--heat-1); } .heat-2 { fill: var(--heat-2); }
        .heat-3 { fill: var(--heat-3); } .heat-4 { fill: var(--heat-4); }
        .grid { stroke: var(--line); stroke-width: 1; }
        .trend-line { fill: none; stroke: var(--spark); stroke-width: 2.5; }
        .trend-dot { fill: var(--spark); }
        .facts, .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: 0.6rem; margin: 1rem 0; }
        .facts > div, .cards > div { background: var(--surface); border: 1px solid var(--line); border-radius: 8px; padding: 0.5rem 0.8rem; }
        dt { font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
        dd { margin: 0.1rem 0 0; font-weight: 500; overflow-wrap: anywhere; }
        .cards dd { font-size: 1.35rem; font-weight: 650; }
        .ping code { overflow-wrap: anywhere; }
        .capabilities { list-style: none; padding: 0; } .capabilities li { margin: 0.3rem 0; }
        .root { font-size: 1.05rem; }
        .risk { background: var(--surface); border: 1px solid var(--line); border-radius: 8px; padding: 0.2rem 1rem; }
        .risk-high { border-left: 4px solid var(--down-fg); } .risk-medium { border-left: 4px solid var(--late-fg); }
        .risk-low { border-left: 4px solid var(--up-fg); }
        meter { width: 8rem; vertical-align: middle; }
        .reasons { margin: 0; padding-left: 1.1rem; }
        .pager { display: flex; gap: 1rem; justify-content: center; margin: 1rem 0; }
        .foot { max-width: 1200px; margin: 2rem auto; padding: 0 1rem; color: var(--muted); font-size: 0.85rem; }
        details summary { cursor: pointer; color: var(--link); }
        .login { max-width: 24rem; margin: 4rem auto; background: var(--surface); border: 1px solid var(--line);
          border-radius: 8px; padding: 1rem 1.5rem 1.5rem; }
        .login label { display: block; margin: 0.8rem 0 0.3rem; font-weight: 600; }
        .login input { width: 100%; padding: 0.45rem 0.6rem; border: 1px solid var(--line); border-radius: 6px;
          background: var(--surface); color: var(--text); }
        .login button { margin-top: 1rem; background: var(--link); color: #fff; border-color: var(--link); }
        .problem { color: var(--down-fg); background: var(--down-bg); border-radius: 6px; padding: 0.5rem 0.8rem; }
        @media (max-width: 640px) {
          body { font-size: 15px; }
          main { padding: 0.75rem; }
          .top nav { gap: 0.5rem; }
          .live { margin-left: 0; }
          .heading { align-items: flex-start; }
          .search { width: 100%; } .search input { flex: 1; }
          .table-wrap { background: transparent; border: none; overflow: visible; }
          table, thead, tbody, tr, th, td { display: block; }
          thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
          tbody tr { background: var(--surface); border: 1px solid var(--line); border-radius: 8px; margin-bottom: 0.6rem;
            padding: 0.4rem 0.2rem; }
          tbody tr > * { border: none; padding: 0.2rem 0.7rem; }
          tbody td[data-label]::before { content: attr(data-label); display: inline-block; min-width: 7.5rem;
            font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
          tbody th[data-label] { font-size: 1.05rem; }
          .spark { display: inline-block; vertical-align: middle; }
        }
        """#
}
