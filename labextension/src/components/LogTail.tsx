import * as React from 'react';

/** The log, kept scrolled to the end while the user has not scrolled up. */
export function LogTail(props: { text: string; finished?: boolean }): JSX.Element {
  const node = React.useRef<HTMLPreElement>(null);
  const pinned = React.useRef(true);
  React.useEffect(() => {
    const pre = node.current;
    if (pre && pinned.current) {
      pre.scrollTop = pre.scrollHeight;
    }
  }, [props.text]);
  const onScroll = () => {
    const pre = node.current;
    if (pre) {
      pinned.current = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
    }
  };
  return (
    <pre className="jp-mlws-log" ref={node} onScroll={onScroll}>
      {props.text || (props.finished ? '(no output)' : '(no output yet)')}
    </pre>
  );
}
