-- Argo CD health of a teardown.dev/CloudInstanceDeletion.
--   Progressing  the operator has not written status yet, has not observed the latest generation, or is working
--   Healthy      phase Done (every instance and disk observed gone)
--   Degraded     phase Failed, condition Failed=True or Stalled=True (the message says what to do)
--   Suspended    condition Paused=True (annotation teardown.dev/paused)
-- Written for Lua 5.1 (Argo CD's gopher-lua): no goto, no integer division, no string.format of nil.
local hs = {}

local function condition(status, kind)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function isTrue(status, kind)
  local c = condition(status, kind)
  return c ~= nil and c.status == "True"
end

local function text(s, fallback)
  if s == nil or s == "" then
    return fallback
  end
  return s
end

local function conditionMessage(status, kind, fallback)
  local c = condition(status, kind)
  if c == nil then
    return fallback
  end
  return text(c.message, text(c.reason, fallback))
end

if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to pick up the deletion"
  return hs
end

local status = obj.status
local phase = text(status.phase, "")
local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end

if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

if phase == "Failed" or isTrue(status, "Failed") then
  hs.status = "Degraded"
  hs.message = text(status.message, conditionMessage(status, "Failed", "The deletion failed"))
  return hs
end

if isTrue(status, "Stalled") then
  hs.status = "Degraded"
  hs.message = conditionMessage(status, "Stalled", "The deletion is stalled")
  return hs
end

if phase == "Done" then
  hs.status = "Healthy"
  hs.message = text(status.message, "Deleted")
  return hs
end

if isTrue(status, "Paused") then
  hs.status = "Suspended"
  hs.message = conditionMessage(status, "Paused", "Paused")
  return hs
end

hs.status = "Progressing"
if phase == "" then
  hs.message = text(status.message, "Waiting for the operator")
else
  hs.message = phase .. ": " .. text(status.message, conditionMessage(status, "Reconciling", "in progress"))
end
return hs
