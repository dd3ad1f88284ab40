-- Argo CD health check for build.minimalimage.dev/MinimalImage (resource.customizations.health.build.minimalimage.dev_MinimalImage).
-- Healthy once the image of the current spec is pushed (and smoke tested when asked); Degraded on a terminal failure
-- (Ready False with Stalled True, or phase Failed); Progressing while queued, building, retrying or smoke testing,
-- and while the operator has not yet observed the current generation.
local hs = {}
local status = obj.status
if status == nil or status.observedGeneration == nil
    or (obj.metadata.generation ~= nil and status.observedGeneration < obj.metadata.generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the current spec"
  return hs
end
local ready = nil
local stalled = nil
if status.conditions ~= nil then
  for _, condition in ipairs(status.conditions) do
    if condition.type == "Ready" then
      ready = condition
    elseif condition.type == "Stalled" then
      stalled = condition
    end
  end
end
local function said(condition)
  if condition == nil then
    return status.phase or ""
  end
  if condition.message ~= nil then
    return condition.reason .. ": " .. condition.message
  end
  return condition.reason or ""
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = said(ready)
elseif (stalled ~= nil and stalled.status == "True") or status.phase == "Failed" then
  hs.status = "Degraded"
  hs.message = said(ready)
else
  hs.status = "Progressing"
  hs.message = said(ready)
end
return hs
