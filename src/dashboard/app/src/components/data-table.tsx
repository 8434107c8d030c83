import type { ComponentChildren } from 'preact';

/** A list page's table: one header row of column names over the rows the page renders. */
export function DataTable({ headings, children }: { readonly headings: readonly string[]; readonly children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            {headings.map((heading) => (
              <th key={heading} scope="col">
                {heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
