// xlsheets: replaces xlwings Server's static/js/auth.js (same hook, globalThis.getAuth).
// Entra ID as in xlwings Server; the shared token ("custom" provider) comes from this
// PC's add-in storage, where the task pane's 「接続キー」 field saved it.
globalThis.xlsheetsTokenKey = "xlsheets.serverToken";

globalThis.getAuth = async function () {
  if ((config.authProviders || []).includes("entraid")) {
    const token = await xlwings.getAccessToken();
    return { token: token, provider: "entraid" };
  }
  if ((config.authProviders || []).includes("custom")) {
    const token = localStorage.getItem(globalThis.xlsheetsTokenKey) || "";
    return { token: token ? "Bearer " + token : "", provider: "custom" };
  }
  return { token: "", provider: "" };
};
