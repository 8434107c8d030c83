/** `used` of `total` as a labelled bar (quota and hypervisor usage); a negative total is unlimited. */
export function UsageBar({ label, used, total, unit = '' }: { label: string; used: number; total: number; unit?: string }) {
  const unlimited = total < 0;
  const percent = unlimited || total === 0 ? 0 : Math.min(100, Math.round((used / total) * 100));
  return (
    <div class="usage">
      <div class="usage-label">
        <span>{label}</span>
        <span>
          {used}
          {unit} of {unlimited ? 'unlimited' : `${total}${unit}`}
        </span>
      </div>
      <div class="bar" role="meter" aria-label={label} aria-valuenow={used} aria-valuemin={0} aria-valuemax={unlimited ? undefined : total}>
        <div class={`fill${percent >= 90 ? ' high' : ''}`} style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
