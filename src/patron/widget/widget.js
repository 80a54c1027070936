/*! Patron <patron-rewards>: a member's challenges, streaks, milestones and rewards, for a shop's
 * own pages: challenges, streaks, milestones, rewards and offers. No framework, no other host: it
 * calls only the Patron that served this file.
 *
 *   <script src="https://loyalty.example.com/widget.js" defer></script>
 *   <patron-rewards language="sv" account-id="patron" token="…"></patron-rewards>
 *   document.querySelector("patron-rewards").refreshToken = async () => (await fetch("/my/patron-token")).json();
 *
 * Theming: CSS custom properties on the element (--patron-accent, --patron-font, …), see docs/CONSOLE.md.
 */
(function () {
  "use strict";
  if (window.customElements.get("patron-rewards")) return;

  // Where this file came from is where the widget calls, unless base-url says otherwise.
  const script = document.currentScript;
  const servedFrom = script && script.src ? new URL(script.src).origin : window.location.origin;

  const STYLE = `
    :host { display: block; font-family: var(--patron-font, system-ui, sans-serif); color: var(--patron-text, #1d2330);
      background: var(--patron-background, transparent); line-height: 1.45; }
    .list { display: grid; gap: var(--patron-gap, 0.75rem); list-style: none; margin: 0; padding: 0; }
    .card { background: var(--patron-card, #fff); border: 1px solid var(--patron-border, #d5d9e0);
      border-radius: var(--patron-radius, 10px); padding: 0.9rem 1rem; }
    h2 { font-size: var(--patron-heading-size, 1.15rem); margin: 0 0 0.6rem; }
    h3 { font-size: 1rem; margin: 0; display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; }
    .icon { width: 2rem; height: 2rem; object-fit: contain; }
    .status { font-size: 0.8rem; padding: 0.05rem 0.5rem; border-radius: 999px; background: var(--patron-chip, #eef2f8); }
    .status.completed { background: var(--patron-success-background, #e6f4ea); color: var(--patron-success, #176639); }
    .status.failed, .status.broken { background: var(--patron-danger-background, #fdecea); color: var(--patron-danger, #a4161a); }
    .bar { height: var(--patron-bar-height, 0.7rem); background: var(--patron-bar-background, #e3e7ee);
      border-radius: 999px; overflow: hidden; margin: 0.5rem 0 0.2rem; }
    .fill { height: 100%; background: var(--patron-accent, #0b5cad); width: 0; }
    .figures { font-size: 0.85rem; color: var(--patron-muted, #4d5566); }
    .message { margin: 0.4rem 0 0; }
    .milestones { list-style: none; padding: 0; margin: 0.5rem 0 0; font-size: 0.9rem; }
    .milestones li { padding: 0.2rem 0; }
    .milestones li.reached::before { content: "✓ "; color: var(--patron-success, #176639); }
    button { font: inherit; cursor: pointer; border-radius: var(--patron-radius, 10px); padding: 0.3rem 0.8rem;
      border: 1px solid var(--patron-accent, #0b5cad); background: var(--patron-button-background, #fff); color: var(--patron-accent, #0b5cad); }
    button:focus-visible { outline: 3px solid var(--patron-focus, #f0a202); outline-offset: 2px; }
    .code { font-family: ui-monospace, monospace; font-size: 1.05rem; letter-spacing: 0.05em; }
    .reward { display: flex; gap: 0.8rem; align-items: center; flex-wrap: wrap; }
    .note { color: var(--patron-muted, #4d5566); }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `;

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = String(value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  // Only web addresses become links or images: a promotion's text must never run script here.
  function webAddress(text) {
    try {
      const url = new URL(String(text), window.location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function number(value) {
    return typeof value === "number" ? value : Number(value || 0);
  }

  class PatronRewards extends HTMLElement {
    static get observedAttributes() {
      return ["token", "account-id", "language", "base-url"];
    }

    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
      this.shadowRoot.adoptedStyleSheets = [sheet];
      // The shop sets this: () => Promise<{token, accountId}> (or a token string), called when the
      // token is missing or refused.
      this.refreshToken = null;
      this._token = null;
      this._accountId = null;
      this._loading = null;
    }

    connectedCallback() {
      this._render([element("p", { class: "note", role: "status", text: this._text("loading") })]);
      this.load();
    }

    attributeChangedCallback(name, before, after) {
      if (before !== after && this.isConnected) this.load();
    }

    get _base() {
      return (this.getAttribute("base-url") || servedFrom).replace(/\/$/, "");
    }

    get _language() {
      return this.getAttribute("language") || document.documentElement.lang || "";
    }

    _text(name) {
      const texts = {
        loading: this.getAttribute("loading-text") || "Loading your rewards…",
        failed: this.getAttribute("error-text") || "Your rewards cannot be shown right now.",
        challenges: this.getAttribute("challenges-heading") || "Your challenges",
        rewards: this.getAttribute("rewards-heading") || "Your rewards",
        offers: this.getAttribute("offers-heading") || "Your offers",
        none: this.getAttribute("empty-text") || "No challenges right now.",
        copy: this.getAttribute("copy-text") || "Copy",
        copied: this.getAttribute("copied-text") || "Copied",
        expires: this.getAttribute("expires-text") || "Valid until",
      };
      return texts[name];
    }

    async _credentials(refresh) {
      if (!refresh) {
        const token = this._token || this.getAttribute("token");
        if (token) return { token: token, accountId: this._accountId || this.getAttribute("account-id") || "patron" };
      }
      if (typeof this.refreshToken !== "function") return null;
      const fresh = await this.refreshToken();
      if (!fresh) return null;
      this._token = typeof fresh === "string" ? fresh : fresh.token;
      this._accountId = typeof fresh === "string" ? this.getAttribute("account-id") || "patron" : fresh.accountId;
      return { token: this._token, accountId: this._accountId };
    }

    async _get(path, retried) {
      const credentials = await this._credentials(false);
      if (!credentials) throw new Error("no end-user token");
      const url = new URL(this._base + path);
      if (this._language) url.searchParams.set("languageCode", this._language);
      url.searchParams.set("limit", "100");
      const response = await fetch(url, {
        headers: { "x-enduser-access-token": credentials.token, "x-account-id": credentials.accountId },
        credentials: "omit",
      });
      if (response.status === 401 && !retried && typeof this.refreshToken === "function") {
        await this._credentials(true);
        return this._get(path, true);
      }
      if (!response.ok) throw new Error("Patron answered " + response.status);
      return (await response.json()).data;
    }

    load() {
      const run = (this._loading = (async () => {
        try {
          const [challenges, streaks, challengeProgress, streakProgress, rewards, offers] = await Promise.all([
            this._get("/schema/challenge/record"),
            this._get("/schema/streak/record"),
            this._get("/schema/challenge_progress/record"),
            this._get("/schema/streak_progress/record"),
            this._get("/schema/reward_log/record"),
            this._get("/widget/offers"),
          ]);
          if (run !== this._loading) return;
          this._show(
            [
              ...challenges.map((d) => ({ kind: "challenge", definition: d })),
              ...streaks.map((d) => ({ kind: "streak", definition: d })),
            ],
            [...challengeProgress, ...streakProgress],
            rewards,
            offers
          );
          this.dispatchEvent(new CustomEvent("patron-loaded", { bubbles: true, composed: true }));
        } catch (error) {
          if (run !== this._loading) return;
          this._render([element("p", { class: "note", role: "alert", text: this._text("failed") })]);
          this.dispatchEvent(new CustomEvent("patron-error", { detail: String(error), bubbles: true, composed: true }));
        }
      })());
      return run;
    }

    _render(children) {
      const region = element("section", { class: "patron", role: "region", "aria-label": this.getAttribute("label") || "Loyalty" }, children);
      this.shadowRoot.replaceChildren(region);
    }

    _show(definitions, progress, rewards, offers) {
      // The newest progress row of each definition: this window's, or this run's.
      const latest = new Map();
      for (const row of progress) {
        const id = row.challengeId || row.streakId;
        const known = latest.get(id);
        if (!known || String(row.periodStart) > String(known.periodStart)) latest.set(id, row);
      }
      const items = definitions.map((item) => this._challenge(item, latest.get(item.definition.id)));
      const parts = [
        element("h2", { text: this._text("challenges") }),
        items.length ? element("ul", { class: "list" }, items) : element("p", { class: "note", text: this._text("none") }),
      ];
      const withCodes = rewards.filter((reward) => reward.couponCode);
      if (rewards.length) {
        parts.push(element("h2", { text: this._text("rewards") }));
        parts.push(element("ul", { class: "list" }, rewards.map((reward) => this._reward(reward))));
      }
      if (offers.length) {
        parts.push(element("h2", { text: this._text("offers") }));
        parts.push(element("ul", { class: "list" }, offers.map((offer) => this._offer(offer))));
      }
      this._render(parts);
      this.setAttribute("data-coupons", String(withCodes.length));
    }

    _challenge(item, row) {
      const d = item.definition;
      const status = row ? row.challengeProgressStatus || row.streakProgressStatus : "not_started";
      const labels = {
        not_started: d.eudNotStartedLabel,
        in_progress: d.eudInProgressLabel,
        completed: d.eudCompletedLabel,
        failed: d.eudFailedLabel,
        broken: d.eudFailedLabel,
      };
      const title = d.eudTitle || d.name;
      const value = row ? number(row.currentProgressValue) : 0;
      const target = number(d.completionTargetValue) || 1;
      const share = Math.max(0, Math.min(100, Math.round((value / target) * 100)));
      const message = row
        ? row.eudMilestoneNextToBeAchievedMessage || row.eudCompletedChallengeMessage || row.eudFailedChallengeMessage
        : null;
      const titleId = "t-" + d.id;
      const fill = element("div", { class: "fill" });
      fill.style.width = share + "%";
      const milestones = (d.milestones || []).slice().sort((a, b) => number(a.milestoneTargetValue) - number(b.milestoneTargetValue));
      const details = element(
        "ul",
        { class: "milestones", id: "m-" + d.id, hidden: true },
        milestones.map((m) =>
          element("li", { class: value >= number(m.milestoneTargetValue) ? "reached" : null }, [
            element("strong", { text: m.name }),
            document.createTextNode(" · " + m.milestoneTargetValue),
            m.eudMilestoneRewardInstructionMessage ? element("div", { class: "note", text: m.eudMilestoneRewardInstructionMessage }) : null,
          ])
        )
      );
      const toggle = milestones.length
        ? element("button", { type: "button", "aria-expanded": "false", "aria-controls": "m-" + d.id, text: d.eudViewDetailsButtonText || "View Details" })
        : null;
      if (toggle) {
        toggle.addEventListener("click", () => {
          const open = toggle.getAttribute("aria-expanded") !== "true";
          toggle.setAttribute("aria-expanded", String(open));
          details.hidden = !open;
        });
      }
      const icon = element("img", { class: "icon", alt: "", src: `${this._base}/schema/${item.kind}/record/${d.id}/eudIcon` });
      icon.addEventListener("error", () => icon.remove());
      return element("li", { class: "card challenge", "data-status": status, "aria-labelledby": titleId }, [
        element("h3", { id: titleId }, [icon, document.createTextNode(title), element("span", { class: "status " + status, text: labels[status] || status })]),
        d.eudDescription ? element("p", { class: "note", text: d.eudDescription }) : null,
        element("div", {
          class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(target),
          "aria-valuenow": String(value), "aria-labelledby": titleId, "aria-valuetext": `${value} / ${target}`,
        }, [fill]),
        element("div", { class: "figures", text: `${value} / ${target}` }),
        message ? element("p", { class: "message", text: message }) : null,
        toggle,
        details,
      ]);
    }

    _offer(offer) {
      const picture = offer.imageUrl ? webAddress(offer.imageUrl) : null;
      const target = offer.link ? webAddress(offer.link) : null;
      const image = picture ? element("img", { class: "icon", alt: "", src: picture }) : null;
      return element("li", { class: "card offer" }, [
        element("h3", {}, [image, document.createTextNode(offer.heading || offer.name)]),
        offer.description ? element("p", { class: "note", text: offer.description }) : null,
        offer.expiresOn ? element("span", { class: "note", text: `${this._text("expires")} ${String(offer.expiresOn).slice(0, 10)}` }) : null,
        target ? element("a", { href: target, text: offer.name }) : null,
      ]);
    }

    _reward(reward) {
      const parts = [element("strong", { text: (reward.milestone && reward.milestone.name) || (reward.reward && reward.reward.type) || "Reward" })];
      if (reward.couponCode) {
        const code = element("span", { class: "code", text: reward.couponCode });
        // The visible word plus the code for screen readers: the accessible name starts with what is seen.
        const word = element("span", { text: this._text("copy") });
        const button = element("button", { type: "button" }, [word, element("span", { class: "visually-hidden", text: " " + reward.couponCode })]);
        const said = element("span", { class: "visually-hidden", role: "status" });
        button.addEventListener("click", async () => {
          try {
            await navigator.clipboard.writeText(reward.couponCode);
          } catch (error) {
            const range = document.createRange();
            range.selectNodeContents(code);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
          }
          word.textContent = this._text("copied");
          said.textContent = this._text("copied");
        });
        parts.push(code, button, said);
      }
      if (reward.milestone && reward.milestone.eudMilestoneRewardInstructionMessage) {
        parts.push(element("span", { class: "note", text: reward.milestone.eudMilestoneRewardInstructionMessage }));
      }
      if (reward.rewardExpiryAt) {
        parts.push(element("span", { class: "note", text: `${this._text("expires")} ${String(reward.rewardExpiryAt).slice(0, 10)}` }));
      }
      return element("li", { class: "card reward" }, parts);
    }
  }

  window.customElements.define("patron-rewards", PatronRewards);
})();
