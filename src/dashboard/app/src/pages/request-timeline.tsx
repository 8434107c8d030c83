import { call } from '../api/cloud.js';
import type { Session } from '../api/session.js';
import { DataTable } from '../components/data-table.js';
import { useLoad } from '../components/load.js';
import { StatusBadge } from '../components/status-badge.js';
import { AdminPage } from './admin-page.js';

interface TimelineStep {
  readonly service: string;
  readonly host: string | null;
  readonly step: string;
  readonly instance_uuid: string | null;
  readonly start_time: string;
  readonly finish_time: string | null;
  readonly result: string | null;
  readonly details: string | null;
}
interface RequestTimeline {
  readonly request_id: string;
  readonly actions: readonly { readonly instance_uuid: string; readonly action: string }[];
  readonly steps: readonly TimelineStep[];
}

const ms = (time: string) => new Date(time).getTime();

/** Where a step sits on the request's span, as percentages of it (a running step reaches now). */
function span(step: TimelineStep, first: number, total: number): { left: string; width: string } {
  const start = ms(step.start_time) - first;
  const end = (step.finish_time === null ? Date.now() : ms(step.finish_time)) - first;
  return { left: `${(start / total) * 100}%`, width: `${Math.max(((end - start) / total) * 100, 0.5)}%` };
}

/** Nimbus's request timeline (admin): the steps one request id took through API, conductor, scheduler and agents. */
export function RequestTimelinePage({ session, requestId }: { session: Session; requestId: string }) {
  const loaded = useLoad(
    async () => (await call<{ request_timeline: RequestTimeline }>(session, 'compute', `/nimbus/request-timelines/${encodeURIComponent(requestId)}`)).request_timeline,
    [session.token, requestId],
    2000,
  );
  return (
    <AdminPage session={session} title="Request timeline" loaded={loaded}>
      {(timeline) => {
        const first = Math.min(...timeline.steps.map((s) => ms(s.start_time)));
        const last = Math.max(...timeline.steps.map((s) => (s.finish_time === null ? Date.now() : ms(s.finish_time))));
        const total = Math.max(last - first, 1);
        return (
          <>
            <p>
              <code>{timeline.request_id}</code>: {timeline.actions.map((a) => `${a.action} of ${a.instance_uuid}`).join(', ') || 'no instance action'}, {total} ms from first to last step.
            </p>
            <DataTable headings={['Service', 'Host', 'Step', 'Started (UTC)', 'Took', 'Result', 'When']}>
              {timeline.steps.map((s, index) => (
                <tr key={`${index}-${s.step}`} data-service={s.service}>
                  <td>{s.service}</td>
                  <td>{s.host ?? ''}</td>
                  <td class="timeline-step">
                    {s.step}
                    {s.details === null ? '' : <div class="muted">{s.details}</div>}
                  </td>
                  <td title={s.start_time}>{s.start_time.slice(11, 23)}</td>
                  <td>{s.finish_time === null ? 'running' : `${ms(s.finish_time) - ms(s.start_time)} ms`}</td>
                  <td>
                    <StatusBadge status={s.result ?? 'running'} />
                  </td>
                  <td aria-hidden="true">
                    <div class="timeline-track">
                      <div class={`timeline-bar ${s.result === 'Error' ? 'error' : ''}`} style={span(s, first, total)} />
                    </div>
                  </td>
                </tr>
              ))}
            </DataTable>
          </>
        );
      }}
    </AdminPage>
  );
}
