// The result screen: the number, its QR code, and what the printer made of it (from the feed).
import { api } from "/static/api.js";
import { waitWords } from "/static/wording.js";
import { $, PRINT_WAIT_MS, RESULT_GUARD_MS, config, nameOf, showMessage, state, word } from "./common.js";

export function showResult(ticket) {
  state.ticket = { ...ticket, print: null };
  guardResultButtons();
  clearTimeout(state.printTimer);
  $("result-qr").src = `${new URL(ticket.status_url).pathname}/qr.svg`;
  if (state.data.printer.status === "none") {
    state.ticket.print = { kind: "no_printer" };
  } else if (state.printResults.has(ticket.id)) {
    state.ticket.print = state.printResults.get(ticket.id);  // the printer was faster than the response
  } else {
    state.printTimer = setTimeout(() => applyPrint({ kind: "timeout", ticket_id: ticket.id, details: {} }),
                                  PRINT_WAIT_MS);
  }
  renderResult();
}

export function renderResult() {
  const ticket = state.ticket;
  $("result-number").textContent = ticket.number;
  $("result-service").textContent = state.lang === "en" ? ticket.service_name_en : ticket.service_name;
  const group = state.data.priority_groups.find((item) => item.id === ticket.priority);
  $("result-priority").hidden = !group;
  $("result-priority").textContent = group ? word("priority_chosen", { name: nameOf(group) }) : "";
  const wait = waitWords(config.waitWords[state.lang], ticket.position, ticket.eta_minutes, ticket.eta_low,
                         ticket.eta_high);
  $("result-ahead").textContent = wait.ahead;
  $("result-eta").textContent = wait.wait;
  const print = ticket.print;
  const printed = print && print.kind === "printed" && print.details.status !== "unknown";
  const electronic = print !== null && !printed;
  $("screen-result").classList.toggle("eticket", electronic);
  $("eticket-title").hidden = !electronic;
  $("reprint").hidden = !print || print.kind === "no_printer" || printed;
  let text = word("printing");
  if (printed) text = word("printed");
  else if (print && print.kind === "no_printer") text = word("eticket_no_printer");
  else if (print && print.kind === "print_failed") {
    // The citizen reads a plain cause; the technical message stays in the event for the staff.
    text = word("eticket_failed", { message: word(`printer_${print.details.status}`) });
  } else if (print) text = word("eticket_unconfirmed");
  $("print-state").textContent = text;
  $("print-state").className = `print-state ${printed ? "ok" : electronic ? "problem" : ""}`;
}

// Disabled for a moment: taps meant for the service button (a stuck finger) must not press "Xong".
function guardResultButtons() {
  clearTimeout(state.guardTimer);
  $("done").disabled = $("reprint").disabled = true;
  state.guardTimer = setTimeout(() => { $("done").disabled = $("reprint").disabled = false; }, RESULT_GUARD_MS);
}

export function applyPrint(event) {
  if (!state.ticket || event.ticket_id !== state.ticket.id) return;
  clearTimeout(state.printTimer);
  state.ticket.print = event;
  renderResult();
}

export async function reprint() {
  if (state.busy || !state.ticket) return;
  state.busy = true;
  try {
    await api("POST", `/api/tickets/${state.ticket.id}/reprint`, {}, { token: state.token });
    state.ticket.print = null;
    state.printResults.delete(state.ticket.id);
    guardResultButtons();
    state.printTimer = setTimeout(() => applyPrint({ kind: "timeout", ticket_id: state.ticket.id, details: {} }),
                                  PRINT_WAIT_MS);
    renderResult();
  } catch (error) {
    showMessage(error);
  } finally {
    state.busy = false;
  }
}
