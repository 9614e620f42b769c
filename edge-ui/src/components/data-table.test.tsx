import { render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { DataTable, type DataColumn } from "@/components/data-table";

type Row = { id: string; name: string; owner: string };

const ROWS: Row[] = [
  { id: "1", name: "web", owner: "Ada" },
  { id: "2", name: "api", owner: "Grace" },
];
const COLUMNS: DataColumn<Row>[] = [
  { id: "name", header: "Name", cell: (row) => row.name },
  { id: "owner", header: "Owner", cell: (row) => row.owner },
];

/** Lays every element out `width` wide with content `scrollWidth` wide (jsdom lays nothing out). */
function layOut(width: number, scrollWidth = width) {
  vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(width);
  vi.spyOn(HTMLElement.prototype, "scrollWidth", "get").mockReturnValue(scrollWidth);
}

function renderTable() {
  return render(
    <DataTable
      label="Things"
      columns={COLUMNS}
      rows={ROWS}
      rowKey={(row) => row.id}
      actions={(row) => <button type="button">Remove {row.name}</button>}
    />,
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("DataTable", () => {
  it("is a real table where there is room, with a pinned actions column and no extra tab stop", () => {
    layOut(900);
    renderTable();
    const table = screen.getByRole("table", { name: "Things" });
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    expect(within(table).getByRole("columnheader", { name: "Actions" })).toHaveClass("sticky", "right-0");
    expect(within(table).getByRole("button", { name: "Remove api" }).closest("td")).toHaveClass("sticky", "right-0");
    expect(screen.queryByRole("region")).not.toBeInTheDocument();
  });

  it("makes a table that scrolls sideways a focusable, labelled region", () => {
    layOut(700, 1100);
    renderTable();
    const region = screen.getByRole("region", { name: "Things (scrolls sideways)" });
    expect(region).toHaveAttribute("tabindex", "0");
    expect(within(region).getByRole("table", { name: "Things" })).toBeInTheDocument();
  });

  it("stacks the rows on a phone, each titled by its first column with its actions beside it", () => {
    layOut(360);
    renderTable();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
    const items = within(screen.getByRole("list", { name: "Things" })).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    const web = items[0];
    if (!web) throw new Error("no first item");
    expect(within(web).getByRole("button", { name: "Remove web" })).toBeInTheDocument();
    // The other columns are labelled values.
    expect(within(web).getByRole("term")).toHaveTextContent("Owner");
    expect(within(web).getByRole("definition")).toHaveTextContent("Ada");
  });
});
